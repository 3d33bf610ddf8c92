package httpx

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptrace"
	"sync/atomic"
	"time"

	"go.uber.org/zap"
	"golang.org/x/time/rate"

	"orchestrator/config"
)

// maxBody bounds how much of an answer is read; provider answers are small JSON.
const maxBody = 1 << 20

// Request is one outbound request; Body is sent again, unchanged, on every attempt.
type Request struct {
	Method string
	URL    string
	Header http.Header
	Body   []byte
}

// Response is a 2xx answer, its body read in full (up to 1 MiB).
type Response struct {
	Status   int
	Header   http.Header
	Body     []byte
	Attempts int // requests sent, retries included
}

// Client sends requests under one provider's rate limit and retry rule.
type Client struct {
	hc         *http.Client
	lim        *rate.Limiter
	timeout    time.Duration
	maxRetries int
	backoff    time.Duration
	log        *zap.Logger
}

// New builds a Client from a provider section; hc nil gets a client with
// p.Timeout, a zero RatePerSecond means no rate limit.
func New(p config.Provider, hc *http.Client, log *zap.Logger) *Client {
	if hc == nil {
		hc = &http.Client{Timeout: p.Timeout}
	}
	if log == nil {
		log = zap.NewNop()
	}
	limit := rate.Inf
	if p.RatePerSecond > 0 {
		limit = rate.Limit(p.RatePerSecond)
	}
	return &Client{
		hc:         hc,
		lim:        rate.NewLimiter(limit, max(p.Burst, 1)),
		timeout:    p.Timeout,
		maxRetries: max(p.MaxRetries, 0),
		backoff:    p.RetryBackoff,
		log:        log,
	}
}

// Do sends r and returns its 2xx answer, retrying only what cannot have had an
// effect (see the package comment). Any failure is an *Error; it returns
// promptly when ctx is done, with ctx.Err() as the cause.
func (c *Client) Do(ctx context.Context, r Request) (Response, error) {
	var last *Error
	for attempt := 1; ; attempt++ {
		if err := c.lim.Wait(ctx); err != nil {
			return Response{}, notSent(ctx, err, last, attempt-1)
		}
		resp, e, hasRetryAfter := c.once(ctx, r)
		if e == nil {
			resp.Attempts = attempt
			return resp, nil
		}
		e.Attempts, last = attempt, e
		if ctx.Err() != nil {
			e.Err = ctx.Err()
			return Response{}, e
		}
		if !e.Retryable || attempt > c.maxRetries {
			return Response{}, e
		}
		wait := backoff(c.backoff, attempt, rand.Float64())
		if hasRetryAfter {
			if e.RetryAfter > maxRetryWait {
				return Response{}, e
			}
			wait = e.RetryAfter
		}
		c.log.Info("retrying", zap.Int("attempt", attempt), zap.Int("status", e.Status),
			zap.Duration("wait", wait), zap.Error(e))
		if err := sleep(ctx, wait); err != nil {
			return Response{}, notSent(ctx, err, last, attempt)
		}
	}
}

// once is one attempt. hasRetryAfter tells a Retry-After of 0 from none.
func (c *Client) once(ctx context.Context, r Request) (resp Response, e *Error, hasRetryAfter bool) {
	actx := ctx
	if c.timeout > 0 {
		var cancel context.CancelFunc
		actx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel()
	}
	// A connection obtained is the line after which the provider may have read
	// the request: a failure past it is never retried.
	var connected atomic.Bool
	actx = httptrace.WithClientTrace(actx, &httptrace.ClientTrace{
		GotConn: func(httptrace.GotConnInfo) { connected.Store(true) },
	})
	req, err := http.NewRequestWithContext(actx, r.Method, r.URL, bytes.NewReader(r.Body))
	if err != nil {
		return Response{}, &Error{Err: err}, false
	}
	req.Header = r.Header.Clone()
	if req.Header == nil {
		req.Header = http.Header{}
	}
	res, err := c.hc.Do(req)
	if err != nil {
		return Response{}, &Error{Err: cause(ctx, err), Retryable: !connected.Load() && isDialError(err)}, false
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, maxBody))
	ok2xx := res.StatusCode >= 200 && res.StatusCode < 300
	if err != nil && ok2xx {
		return Response{}, &Error{Status: res.StatusCode, Body: Snippet(body), Err: cause(ctx, err)}, false
	}
	if ok2xx {
		return Response{Status: res.StatusCode, Header: res.Header, Body: body}, nil, false
	}
	e = &Error{
		Status:    res.StatusCode,
		Body:      Snippet(body),
		Retryable: res.StatusCode == http.StatusTooManyRequests || res.StatusCode == http.StatusServiceUnavailable,
	}
	if e.Retryable {
		e.RetryAfter, hasRetryAfter = parseRetryAfter(res.Header.Get("Retry-After"), time.Now())
	}
	return Response{}, e, hasRetryAfter
}

// isDialError reports a failure to open a connection (refused, unreachable,
// DNS): the request cannot have left this process.
func isDialError(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var dns *net.DNSError
	return errors.As(err, &dns)
}

// cause prefers the caller's ctx error, so a cancelled caller sees exactly
// context.Canceled rather than a transport error that merely mentions it.
func cause(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// notSent is the error for a wait (rate limit or backoff) that ended early:
// nothing was in flight, so whatever happened before still stands as retryable.
func notSent(ctx context.Context, err error, last *Error, attempts int) *Error {
	if last == nil {
		last = &Error{}
	}
	last.Retryable, last.Attempts, last.Err = true, attempts, cause(ctx, err)
	return last
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
