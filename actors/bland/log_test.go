package bland

import (
	"fmt"
	"strings"
	"testing"

	"orchestrator/actors/internal/httpx/httpxtest"
)

// TestLogsHideSecrets drives every logging path (dry-run, retries, failures)
// and checks no entry carries the API key or a full phone number.
func TestLogsHideSecrets(t *testing.T) {
	log, logs := observed()
	srv := httpxtest.New(t,
		httpxtest.Reply{Status: 503},
		httpxtest.Reply{Body: `{"status":"success","call_id":"c-1"}`},
		httpxtest.Reply{Status: 500, Body: "no"},
	)
	live := New(liveConfig(srv.URL), log, nil)
	dry := liveConfig(srv.URL)
	dry.Mode = "dry-run"
	dryRun := New(dry, log, nil)

	ctx := t.Context()
	req := CallRequest{Phone: "+15555550123", Lead: testLead(), From: "+15555550999"}
	_, _ = dryRun.Call(ctx, req)
	_, _ = dryRun.SendSMS(ctx, req.Phone, "+15555550999", "hi")
	_, _ = live.Call(ctx, req)
	_, _ = live.SendSMS(ctx, req.Phone, "+15555550999", "hi")
	_, _ = dryRun.SMSHistory(ctx, req.Phone)
	_, _ = live.SMSHistory(ctx, req.Phone)

	if logs.Len() == 0 {
		t.Fatal("nothing was logged")
	}
	sawMasked := false
	for _, e := range logs.All() {
		line := e.Message + " " + fmt.Sprint(e.ContextMap())
		for _, secret := range []string{testKey, "5555550123", "5555550999"} {
			if strings.Contains(line, secret) {
				t.Errorf("log entry leaks %q: %s", secret, line)
			}
		}
		sawMasked = sawMasked || strings.Contains(line, "+1******0123")
	}
	if !sawMasked {
		t.Error("no entry shows the masked phone")
	}
}
