package httpx

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/zap/zaptest"

	"orchestrator/actors/internal/httpx/httpxtest"
	"orchestrator/config"
)

func testProvider() config.Provider {
	return config.Provider{Mode: "live", Timeout: 2 * time.Second, RatePerSecond: 1000, Burst: 100,
		MaxRetries: 2, RetryBackoff: time.Millisecond}
}

func post(url string) Request {
	return Request{Method: http.MethodPost, URL: url + "/x",
		Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(`{"a":1}`)}
}

func TestDoRetryRule(t *testing.T) {
	tests := []struct {
		name          string
		script        []httpxtest.Reply
		timeout       time.Duration
		wantErr       bool
		wantRequests  int
		wantStatus    int
		wantRetryable bool
		wantDeadline  bool
	}{
		{"success", []httpxtest.Reply{{Body: "ok"}}, 0, false, 1, 0, false, false},
		{"503 then success", []httpxtest.Reply{{Status: 503}, {Body: "ok"}}, 0, false, 2, 0, false, false},
		{"429 with Retry-After 0 then success",
			[]httpxtest.Reply{{Status: 429, Header: map[string]string{"Retry-After": "0"}}, {Body: "ok"}}, 0, false, 2, 0, false, false},
		{"503 until retries run out", []httpxtest.Reply{{Status: 503, Body: "busy"}}, 0, true, 3, 503, true, false},
		{"500 is never retried", []httpxtest.Reply{{Status: 500, Body: "oops"}, {Body: "ok"}}, 0, true, 1, 500, false, false},
		{"502 is never retried", []httpxtest.Reply{{Status: 502}, {Body: "ok"}}, 0, true, 1, 502, false, false},
		{"400 is never retried", []httpxtest.Reply{{Status: 400}, {Body: "ok"}}, 0, true, 1, 400, false, false},
		{"timeout after sending is never retried", []httpxtest.Reply{{Hang: true}, {Body: "ok"}},
			50 * time.Millisecond, true, 1, 0, false, true},
		{"reset after reading is never retried", []httpxtest.Reply{{Reset: true}, {Body: "ok"}}, 0, true, 1, 0, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httpxtest.New(t, tt.script...)
			p := testProvider()
			if tt.timeout > 0 {
				p.Timeout = tt.timeout
			}
			c := New(p, nil, zaptest.NewLogger(t))
			resp, err := c.Do(t.Context(), post(srv.URL))
			if got := srv.Count(); got != tt.wantRequests {
				t.Errorf("requests = %d, want %d", got, tt.wantRequests)
			}
			if !tt.wantErr {
				if err != nil || string(resp.Body) != "ok" {
					t.Fatalf("Do = %q, %v; want ok", resp.Body, err)
				}
				return
			}
			var he *Error
			if !errors.As(err, &he) {
				t.Fatalf("Do error = %v (%T), want *Error", err, err)
			}
			if he.Status != tt.wantStatus || he.Retryable != tt.wantRetryable || he.Attempts != tt.wantRequests {
				t.Errorf("error = %+v; want status %d, retryable %v, attempts %d", he, tt.wantStatus, tt.wantRetryable, tt.wantRequests)
			}
			if got := errors.Is(err, context.DeadlineExceeded); got != tt.wantDeadline {
				t.Errorf("errors.Is(DeadlineExceeded) = %v, want %v (%v)", got, tt.wantDeadline, err)
			}
		})
	}
}

func TestDoSendsRequestAsGiven(t *testing.T) {
	srv := httpxtest.New(t)
	c := New(testProvider(), nil, zaptest.NewLogger(t))
	if _, err := c.Do(t.Context(), post(srv.URL)); err != nil {
		t.Fatal(err)
	}
	got := srv.Requests()[0]
	if got.Method != http.MethodPost || got.Path != "/x" || got.Header.Get("Content-Type") != "application/json" ||
		string(got.Body) != `{"a":1}` {
		t.Errorf("received %+v", got)
	}
}

func TestDoConnectionRefusedIsRetried(t *testing.T) {
	c := New(testProvider(), nil, zaptest.NewLogger(t))
	_, err := c.Do(t.Context(), post(httpxtest.ClosedURL(t)))
	var he *Error
	if !errors.As(err, &he) || !he.Retryable || he.Attempts != 3 || he.Status != 0 {
		t.Fatalf("Do error = %#v, want retryable after 3 attempts", err)
	}
	var op *net.OpError
	if !errors.As(err, &op) || op.Op != "dial" {
		t.Errorf("cause = %v, want a dial *net.OpError", he.Err)
	}
}

func TestDoLongRetryAfterIsLeftToTheCaller(t *testing.T) {
	srv := httpxtest.New(t, httpxtest.Reply{Status: 429, Header: map[string]string{"Retry-After": "3600"}})
	c := New(testProvider(), nil, zaptest.NewLogger(t))
	_, err := c.Do(t.Context(), post(srv.URL))
	var he *Error
	if !errors.As(err, &he) || !he.Retryable || he.RetryAfter != time.Hour || srv.Count() != 1 {
		t.Fatalf("Do error = %#v after %d requests; want retryable, RetryAfter 1h, 1 request", err, srv.Count())
	}
}

func TestDoCancelInFlight(t *testing.T) {
	srv := httpxtest.New(t, httpxtest.Reply{Hang: true})
	c := New(testProvider(), nil, zaptest.NewLogger(t))
	ctx, cancel := context.WithCancel(t.Context())
	go func() {
		<-srv.Arrived()
		cancel()
	}()
	_, err := c.Do(ctx, post(srv.URL))
	var he *Error
	if !errors.Is(err, context.Canceled) || !errors.As(err, &he) || he.Retryable {
		t.Fatalf("Do error = %#v, want context.Canceled, not retryable (the request was sent)", err)
	}
}

// roundTrip is a fake transport: no network, so it runs inside a synctest bubble.
type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func answer(status int) roundTrip {
	return func(r *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: status, Header: http.Header{}, Body: io.NopCloser(strings.NewReader("")), Request: r}, nil
	}
}

func TestDoCancelWhileWaiting(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*config.Provider)
		status int
		warmup bool // one request first, to empty the rate limiter's bucket
	}{
		{"rate limit", func(p *config.Provider) { p.RatePerSecond, p.Burst = 0.001, 1 }, 200, true},
		{"backoff", func(p *config.Provider) { p.RetryBackoff = time.Hour }, 503, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				p := testProvider()
				tt.mutate(&p)
				c := New(p, &http.Client{Transport: answer(tt.status)}, zaptest.NewLogger(t))
				ctx, cancel := context.WithCancel(t.Context())
				if tt.warmup {
					if _, err := c.Do(ctx, post("http://fake")); err != nil {
						t.Fatal(err)
					}
				}
				start := time.Now()
				done := make(chan error, 1)
				go func() {
					_, err := c.Do(ctx, post("http://fake"))
					done <- err
				}()
				synctest.Wait() // Do is durably blocked in its wait
				cancel()
				err := <-done
				if !errors.Is(err, context.Canceled) {
					t.Fatalf("Do error = %v, want context.Canceled", err)
				}
				var he *Error
				if !errors.As(err, &he) || !he.Retryable {
					t.Errorf("error = %#v, want retryable (nothing in flight)", err)
				}
				if waited := time.Since(start); waited != 0 {
					t.Errorf("returned after %v of fake time, want at once", waited)
				}
			})
		})
	}
}
