package convoso

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"go.uber.org/zap"

	"orchestrator/actors/internal/httpx"
	"orchestrator/config"
)

// Error is the failure of a live request: HTTP status, whether a retry is safe,
// the start of the answer and the cause. It is httpx.Error, named here so
// callers need not import an internal package.
type Error = httpx.Error

var (
	// ErrRejected is the cause (inside an *Error) of an answer with
	// "success": false: the CRM understood the request and refused it.
	ErrRejected = errors.New("rejected")
	// ErrUnexpectedAnswer is the cause (inside an *Error) of a 2xx answer
	// that is not the CRM's JSON envelope.
	ErrUnexpectedAnswer = errors.New("unexpected answer")
)

// Client talks to the CRM; it is safe for concurrent use.
type Client struct {
	cfg  config.Convoso
	log  *zap.Logger
	http *httpx.Client
	live bool
}

// New builds a Client; hc nil gets an http.Client with cfg.Timeout.
func New(cfg config.Convoso, log *zap.Logger, hc *http.Client) *Client {
	if log == nil {
		log = zap.NewNop()
	}
	log = log.Named("convoso")
	return &Client{cfg: cfg, log: log, http: httpx.New(cfg.Provider, hc, log), live: cfg.Mode == "live"}
}

// envelope is every Convoso answer: success, an error message, and data.
type envelope struct {
	Success json.RawMessage `json:"success"`
	Error   json.RawMessage `json:"error"`
	Message json.RawMessage `json:"message"`
	Data    json.RawMessage `json:"data"`
}

// post sends form, with the auth token added, to path and returns the
// answer's data once the envelope says success.
func (c *Client) post(ctx context.Context, path string, form url.Values) (json.RawMessage, error) {
	form.Set("auth_token", c.cfg.AuthToken.Value())
	resp, err := c.http.Do(ctx, httpx.Request{
		Method: http.MethodPost,
		URL:    strings.TrimRight(c.cfg.BaseURL, "/") + path,
		Header: http.Header{
			"Content-Type": {"application/x-www-form-urlencoded"},
			"Accept":       {"application/json"},
		},
		Body: []byte(form.Encode()),
	})
	if err != nil {
		return nil, err
	}
	var env envelope
	if err := json.Unmarshal(resp.Body, &env); err != nil {
		return nil, answerError(resp, ErrUnexpectedAnswer, "not JSON")
	}
	switch httpx.Scalar(env.Success) {
	case "true", "1":
		return env.Data, nil
	case "false", "0":
		msg := cmp.Or(httpx.Scalar(env.Error), httpx.Scalar(env.Message), "no reason given")
		return nil, answerError(resp, ErrRejected, msg)
	}
	return nil, answerError(resp, ErrUnexpectedAnswer, "no success field")
}

// answerError is the error for a 2xx the CRM answered but we cannot accept; it
// reached the CRM, so it is not retryable here.
func answerError(resp httpx.Response, cause error, why string) error {
	return &Error{Status: resp.Status, Body: httpx.Snippet(resp.Body), Attempts: resp.Attempts,
		Err: fmt.Errorf("%w: %s", cause, why)}
}
