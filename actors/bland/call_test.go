package bland

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/zap/zaptest"

	"orchestrator/actors/internal/httpx/httpxtest"
)

func TestCallRequest(t *testing.T) {
	srv := httpxtest.New(t, httpxtest.Reply{Body: `{"status":"success","call_id":"c-1","message":"Call successfully queued."}`})
	c := New(liveConfig(srv.URL+"/"), zaptest.NewLogger(t), nil)
	got, err := c.Call(t.Context(), CallRequest{Phone: "+15555550123", Lead: testLead(), From: "+15555550999", Kind: "new_lead"})
	if err != nil {
		t.Fatal(err)
	}
	if want := (CallResult{CallID: "c-1"}); got != want {
		t.Errorf("Call = %+v, want %+v", got, want)
	}
	reqs := srv.Requests()
	if len(reqs) != 1 {
		t.Fatalf("requests = %d, want 1", len(reqs))
	}
	r := reqs[0]
	if r.Method != http.MethodPost || r.Path != "/v1/calls" || r.Query != "" {
		t.Errorf("request line = %s %s?%s, want POST /v1/calls", r.Method, r.Path, r.Query)
	}
	for k, want := range map[string]string{"Authorization": "Bearer " + testKey, "Content-Type": "application/json"} {
		if got := r.Header.Get(k); got != want {
			t.Errorf("header %s = %q, want %q", k, got, want)
		}
	}
	want := map[string]any{
		"phone_number":  "+15555550123",
		"pathway_id":    "pw-1",
		"start_node_id": "node-1",
		"task":          "be nice",
		"request_data": map[string]any{
			"lead_id": "900123", "list_id": "4242", "phone_number": "+15555550123", "first_name": "Jane",
			"last_name": "Testlead", "state": "FL", "email": "jane.testlead@example.invalid", "campaign": "spring",
		},
		"from":              "+15555550999",
		"voice":             "maya",
		"max_duration":      float64(30),
		"voicemail_message": "call us back",
		"voicemail_action":  "leave_message",
		"webhook":           "http://127.0.0.1:3000/webhooks/bland-callback",
		"wait":              false,
		"metadata":          map[string]any{"lead_id": "900123", "list_id": "4242", "kind": "new_lead"},
	}
	if diff := cmp.Diff(want, decode(t, r.Body)); diff != "" {
		t.Errorf("body (-want +got):\n%s", diff)
	}
}

func TestCallDryRun(t *testing.T) {
	srv := httpxtest.New(t)
	cfg := liveConfig(srv.URL)
	cfg.Mode = "dry-run"
	c := New(cfg, zaptest.NewLogger(t), nil)
	first, err := c.Call(t.Context(), CallRequest{Phone: "+15555550123", Lead: testLead()})
	if err != nil {
		t.Fatal(err)
	}
	second, _ := c.Call(t.Context(), CallRequest{Phone: "+15555550123", Lead: testLead()})
	if !first.DryRun || !strings.HasPrefix(first.CallID, "dry-") || len(first.CallID) != len("dry-")+32 {
		t.Errorf("dry-run Call = %+v, want DryRun and a dry-<32 hex> id", first)
	}
	if first.CallID == second.CallID {
		t.Errorf("two dry-run calls share id %q", first.CallID)
	}
	if n := srv.Count(); n != 0 {
		t.Errorf("dry-run sent %d requests, want 0", n)
	}
}

func TestCallFailures(t *testing.T) {
	tests := []struct {
		name          string
		script        []httpxtest.Reply
		timeout       time.Duration
		wantRequests  int
		wantStatus    int
		wantRetryable bool
		wantIs        error
	}{
		{"500 is not retried", []httpxtest.Reply{{Status: 500, Body: "boom"}, {Body: `{"call_id":"x"}`}}, 0, 1, 500, false, nil},
		{"timeout after sending is not retried", []httpxtest.Reply{{Hang: true}, {Body: `{"call_id":"x"}`}},
			50 * time.Millisecond, 1, 0, false, context.DeadlineExceeded},
		{"reset after reading is not retried", []httpxtest.Reply{{Reset: true}, {Body: `{"call_id":"x"}`}}, 0, 1, 0, false, nil},
		{"503 until retries run out", []httpxtest.Reply{{Status: 503}}, 0, 3, 503, true, nil},
		{"2xx without call_id", []httpxtest.Reply{{Body: `{"status":"success"}`}}, 0, 1, 200, false, ErrUnexpectedAnswer},
		{"2xx with status error", []httpxtest.Reply{{Body: `{"status":"error","message":"invalid phone"}`}}, 0, 1, 200, false, ErrUnexpectedAnswer},
		{"2xx not JSON", []httpxtest.Reply{{Body: `<html>`}}, 0, 1, 200, false, ErrUnexpectedAnswer},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httpxtest.New(t, tt.script...)
			cfg := liveConfig(srv.URL)
			if tt.timeout > 0 {
				cfg.Timeout = tt.timeout
			}
			_, err := New(cfg, zaptest.NewLogger(t), nil).Call(t.Context(), CallRequest{Phone: "+15555550123", Lead: testLead()})
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Call error = %v (%T), want *Error", err, err)
			}
			if !strings.HasPrefix(err.Error(), "bland: call: ") {
				t.Errorf("error %q lacks the bland: call: prefix", err)
			}
			if srv.Count() != tt.wantRequests || e.Status != tt.wantStatus || e.Retryable != tt.wantRetryable {
				t.Errorf("requests %d, error %+v; want %d requests, status %d, retryable %v",
					srv.Count(), e, tt.wantRequests, tt.wantStatus, tt.wantRetryable)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("errors.Is(%v, %v) = false", err, tt.wantIs)
			}
		})
	}
}

func TestCallRetriesThenSucceeds(t *testing.T) {
	tests := []struct {
		name  string
		first httpxtest.Reply
	}{
		{"503", httpxtest.Reply{Status: 503}},
		{"429 with Retry-After 0", httpxtest.Reply{Status: 429, Header: map[string]string{"Retry-After": "0"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httpxtest.New(t, tt.first, httpxtest.Reply{Body: `{"status":"success","call_id":"c-2"}`})
			got, err := New(liveConfig(srv.URL), zaptest.NewLogger(t), nil).Call(t.Context(), CallRequest{Phone: "+15555550123"})
			if err != nil || got.CallID != "c-2" {
				t.Fatalf("Call = %+v, %v; want c-2", got, err)
			}
			if n := srv.Count(); n != 2 {
				t.Errorf("requests = %d, want 2", n)
			}
		})
	}
}

func TestCallConnectionRefused(t *testing.T) {
	cfg := liveConfig(httpxtest.ClosedURL(t))
	_, err := New(cfg, zaptest.NewLogger(t), nil).Call(t.Context(), CallRequest{Phone: "+15555550123"})
	var e *Error
	if !errors.As(err, &e) || !e.Retryable || e.Attempts != cfg.MaxRetries+1 {
		t.Fatalf("Call error = %#v, want retryable after %d attempts", err, cfg.MaxRetries+1)
	}
	var op *net.OpError
	if !errors.As(err, &op) {
		t.Errorf("cause %v is not a *net.OpError", e.Err)
	}
}

func TestCallCancel(t *testing.T) {
	srv := httpxtest.New(t, httpxtest.Reply{Hang: true})
	ctx, cancel := context.WithCancel(t.Context())
	go func() {
		<-srv.Arrived()
		cancel()
	}()
	_, err := New(liveConfig(srv.URL), zaptest.NewLogger(t), nil).Call(ctx, CallRequest{Phone: "+15555550123"})
	if !errors.Is(err, context.Canceled) || !strings.HasPrefix(err.Error(), "bland: call: ") {
		t.Fatalf("Call error = %v, want bland: call: ... context.Canceled", err)
	}
}

func TestCallRefusesBeforeSending(t *testing.T) {
	srv := httpxtest.New(t)
	c := New(liveConfig(srv.URL), zaptest.NewLogger(t), nil)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := c.Call(ctx, CallRequest{Phone: "+15555550123"}); !errors.Is(err, context.Canceled) {
		t.Errorf("Call on a done context = %v, want context.Canceled", err)
	}
	if _, err := c.Call(t.Context(), CallRequest{}); err == nil {
		t.Error("Call without a phone succeeded")
	}
	if n := srv.Count(); n != 0 {
		t.Errorf("requests = %d, want 0", n)
	}
}
