package crm

import (
	"strings"
	"testing"
	"time"

	"orchestrator/config"
)

func TestScrub(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"http 500: auth_token=abc123&lead_id=9", "http 500: auth_token=******&lead_id=9"},
		{`{"auth_token":"abc","x":1}`, `{"auth_token":"******","x":1}`},
		{`invalid \"auth_token\": \"abc\"`, `invalid \"auth_token\": \"******\"`},
		{"AUTH_TOKEN%3Dabc%26status%3DA", "AUTH_TOKEN%3D******%26status%3DA"},
		{"lead +15555550123 not found", "lead +*******0123 not found"},
		{"call 12345 failed", "call 12345 failed"},
		{"no token here", "no token here"},
		{"trailing auth_token", "trailing auth_token"},
	} {
		if got := scrub(c.in); got != c.want {
			t.Errorf("scrub(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if got := scrub(strings.Repeat("é", 1000)); len(got) > maxError || !strings.HasSuffix(got, "…") {
		t.Errorf("long error not cut to %d bytes: %d", maxError, len(got))
	}
}

func TestAfterFailure(t *testing.T) {
	cfg := config.CRM{MaxTries: 4, RetryMin: 30 * time.Second, RetryMax: 2 * time.Minute}
	for _, c := range []struct {
		tries  int
		jitter float64
		asked  time.Duration
		want   time.Duration
		park   bool
	}{
		{1, 0, 0, 30 * time.Second, false},
		{1, 0.99, 0, 30 * time.Second, false}, // never below retry_min
		{2, 0, 0, 30 * time.Second, false},
		{2, 0.5, 0, 45 * time.Second, false},
		{3, 0.5, 0, 90 * time.Second, false},
		{3, 0, 5 * time.Minute, 2 * time.Minute, false}, // Retry-After honoured up to retry_max
		{1, 0, 50 * time.Second, 50 * time.Second, false},
		{4, 0, 0, 0, true},
		{9, 0, 0, 0, true}, // max_tries lowered by a reload
	} {
		wait, park := afterFailure(c.tries, cfg, c.jitter, c.asked)
		if wait != c.want || park != c.park {
			t.Errorf("afterFailure(%d, jitter %v, asked %v) = %v, %v; want %v, %v", c.tries, c.jitter, c.asked, wait, park, c.want, c.park)
		}
	}
}
