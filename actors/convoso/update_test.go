package convoso

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/zap/zaptest"

	"orchestrator/actors/internal/httpx/httpxtest"
	"orchestrator/messages"
)

func TestUpdateLeadRequest(t *testing.T) {
	srv := httpxtest.New(t, httpxtest.Reply{Body: okBody})
	c := New(liveConfig(srv.URL), zaptest.NewLogger(t), nil)
	err := c.UpdateLead(t.Context(), LeadUpdate{
		LeadID: "900123", ListID: "4242", Status: messages.OutcomeVoicemail.CRMStatus(),
		Summary: "left a voicemail", Transcript: "AI: hello",
		Fields: map[string]string{"campaign": "spring", "status": "IGNORED", "auth_token": "x", "empty": ""},
	})
	if err != nil {
		t.Fatal(err)
	}
	r := srv.Requests()[0]
	if r.Method != http.MethodPost || r.Path != "/v1/leads/update" || r.Query != "" {
		t.Errorf("request line = %s %s?%s, want POST /v1/leads/update and no query", r.Method, r.Path, r.Query)
	}
	if got := r.Header.Get("Content-Type"); got != "application/x-www-form-urlencoded" {
		t.Errorf("Content-Type = %q", got)
	}
	want := url.Values{
		"auth_token": {testToken}, "lead_id": {"900123"}, "list_id": {"4242"}, "status": {"A"},
		"notes": {"left a voicemail"}, "transcript": {"AI: hello"}, "campaign": {"spring"},
	}
	if diff := cmp.Diff(want, form(t, r.Body)); diff != "" {
		t.Errorf("form (-want +got):\n%s", diff)
	}
}

func TestUpdateLeadOmitsEmptyAndTruncates(t *testing.T) {
	srv := httpxtest.New(t, httpxtest.Reply{Body: okBody})
	long := strings.Repeat("é", 10<<10) // 20 KiB
	err := New(liveConfig(srv.URL), zaptest.NewLogger(t), nil).
		UpdateLead(t.Context(), LeadUpdate{LeadID: "1", Status: "DNC", Transcript: long})
	if err != nil {
		t.Fatal(err)
	}
	got := form(t, srv.Requests()[0].Body)
	for _, k := range []string{"list_id", "notes"} {
		if _, ok := got[k]; ok {
			t.Errorf("empty %s was sent", k)
		}
	}
	tr := got.Get("transcript")
	if len(tr) > MaxNote || !utf8.ValidString(tr) || !strings.HasSuffix(tr, "…") {
		t.Errorf("transcript: %d bytes, valid %v, marked %v", len(tr), utf8.ValidString(tr), strings.HasSuffix(tr, "…"))
	}
}

func TestUpdateLeadFailures(t *testing.T) {
	tests := []struct {
		name          string
		script        []httpxtest.Reply
		timeout       time.Duration
		wantRequests  int
		wantStatus    int
		wantRetryable bool
		wantIs        error
	}{
		{"success false", []httpxtest.Reply{{Body: `{"success":false,"error":"No such Lead","code":6004}`}},
			0, 1, 200, false, ErrRejected},
		{"not JSON", []httpxtest.Reply{{Body: `ok`}}, 0, 1, 200, false, ErrUnexpectedAnswer},
		{"no success field", []httpxtest.Reply{{Body: `{"data":{}}`}}, 0, 1, 200, false, ErrUnexpectedAnswer},
		{"500 is not retried", []httpxtest.Reply{{Status: 500}, {Body: okBody}}, 0, 1, 500, false, nil},
		{"timeout is not retried", []httpxtest.Reply{{Hang: true}, {Body: okBody}},
			50 * time.Millisecond, 1, 0, false, context.DeadlineExceeded},
		{"reset is not retried", []httpxtest.Reply{{Reset: true}, {Body: okBody}}, 0, 1, 0, false, nil},
		{"429 until retries run out", []httpxtest.Reply{{Status: 429, Header: map[string]string{"Retry-After": "0"}}},
			0, 3, 429, true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httpxtest.New(t, tt.script...)
			cfg := liveConfig(srv.URL)
			if tt.timeout > 0 {
				cfg.Timeout = tt.timeout
			}
			err := New(cfg, zaptest.NewLogger(t), nil).UpdateLead(t.Context(), LeadUpdate{LeadID: "1", Status: "NA"})
			var e *Error
			if !errors.As(err, &e) || !strings.HasPrefix(err.Error(), "convoso: update lead: ") {
				t.Fatalf("UpdateLead error = %v (%T), want a convoso: update lead: *Error", err, err)
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

func TestUpdateLeadRetriesThenSucceeds(t *testing.T) {
	tests := []struct {
		name  string
		first httpxtest.Reply
	}{
		{"503", httpxtest.Reply{Status: 503}},
		{"429 with Retry-After 0", httpxtest.Reply{Status: 429, Header: map[string]string{"Retry-After": "0"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httpxtest.New(t, tt.first, httpxtest.Reply{Body: okBody})
			if err := New(liveConfig(srv.URL), zaptest.NewLogger(t), nil).
				UpdateLead(t.Context(), LeadUpdate{LeadID: "1"}); err != nil {
				t.Fatal(err)
			}
			if n := srv.Count(); n != 2 {
				t.Errorf("requests = %d, want 2", n)
			}
		})
	}
}

func TestUpdateLeadConnectionRefused(t *testing.T) {
	cfg := liveConfig(httpxtest.ClosedURL(t))
	err := New(cfg, zaptest.NewLogger(t), nil).UpdateLead(t.Context(), LeadUpdate{LeadID: "1"})
	var e *Error
	if !errors.As(err, &e) || !e.Retryable || e.Attempts != cfg.MaxRetries+1 {
		t.Fatalf("UpdateLead error = %#v, want retryable after %d attempts", err, cfg.MaxRetries+1)
	}
}

func TestUpdateLeadCancel(t *testing.T) {
	srv := httpxtest.New(t, httpxtest.Reply{Hang: true})
	ctx, cancel := context.WithCancel(t.Context())
	go func() {
		<-srv.Arrived()
		cancel()
	}()
	err := New(liveConfig(srv.URL), zaptest.NewLogger(t), nil).UpdateLead(ctx, LeadUpdate{LeadID: "1"})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("UpdateLead error = %v, want context.Canceled", err)
	}
}

func TestUpdateLeadDryRun(t *testing.T) {
	srv := httpxtest.New(t)
	cfg := liveConfig(srv.URL)
	cfg.Mode = "dry-run"
	c := New(cfg, zaptest.NewLogger(t), nil)
	if err := c.UpdateLead(t.Context(), LeadUpdate{LeadID: "1", Status: "A"}); err != nil {
		t.Fatal(err)
	}
	if err := c.UpdateLead(t.Context(), LeadUpdate{}); err == nil {
		t.Error("UpdateLead without a lead_id succeeded")
	}
	if n := srv.Count(); n != 0 {
		t.Errorf("dry-run sent %d requests, want 0", n)
	}
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"exactly10!", 10, "exactly10!"},
		{"hello world, long", 10, "hello w…"},
		{"ééééé", 8, "éé…"}, // 8 bytes: room for 5 before the 3-byte mark, cut back to a rune start
	}
	for _, tt := range tests {
		if got := Clip(tt.in, tt.n); got != tt.want {
			t.Errorf("Clip(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}
