package bland

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"go.uber.org/zap"

	"orchestrator/actors/internal/httpx"
	"orchestrator/config"
)

// Error is the failure of a live request: HTTP status, whether a retry is safe,
// the start of the answer and the cause. It is httpx.Error, named here so
// callers need not import an internal package.
type Error = httpx.Error

// ErrUnexpectedAnswer is the cause (inside an *Error) of a 2xx answer the
// client cannot use, such as a call answer without a call_id.
var ErrUnexpectedAnswer = errors.New("unexpected answer")

// Client talks to the provider; it is safe for concurrent use.
type Client struct {
	cfg  config.Bland
	log  *zap.Logger
	http *httpx.Client
	live bool
}

// New builds a Client; hc nil gets an http.Client with cfg.Timeout.
func New(cfg config.Bland, log *zap.Logger, hc *http.Client) *Client {
	if log == nil {
		log = zap.NewNop()
	}
	log = log.Named("bland")
	return &Client{cfg: cfg, log: log, http: httpx.New(cfg.Provider, hc, log), live: cfg.Mode == "live"}
}

// post sends body as JSON to path and decodes the 2xx answer into answer.
func (c *Client) post(ctx context.Context, path string, body, answer any) (httpx.Response, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return httpx.Response{}, err
	}
	resp, err := c.http.Do(ctx, httpx.Request{
		Method: http.MethodPost,
		URL:    strings.TrimRight(c.cfg.BaseURL, "/") + path,
		Header: http.Header{
			"Authorization": {"Bearer " + c.cfg.APIKey.Value()},
			"Content-Type":  {"application/json"},
			"Accept":        {"application/json"},
		},
		Body: b,
	})
	if err != nil {
		return resp, err
	}
	if err := json.Unmarshal(resp.Body, answer); err != nil {
		return resp, unexpected(resp, "not JSON")
	}
	return resp, nil
}

// unexpected is the error for a 2xx answer that cannot be used. The request
// reached the provider, so it is not retryable.
func unexpected(resp httpx.Response, why string) error {
	return &Error{Status: resp.Status, Body: httpx.Snippet(resp.Body), Attempts: resp.Attempts,
		Err: fmt.Errorf("%w: %s", ErrUnexpectedAnswer, why)}
}

// dryID makes a plausible provider id for dry-run answers.
func dryID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand, Go 1.24+)
	return "dry-" + hex.EncodeToString(b[:])
}
