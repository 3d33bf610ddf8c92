package convoso

import (
	"fmt"
	"strings"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"orchestrator/actors/internal/httpx/httpxtest"
)

// TestLogsHideSecrets drives every logging path and checks no entry carries
// the auth token or a full phone number.
func TestLogsHideSecrets(t *testing.T) {
	core, logs := observer.New(zapcore.DebugLevel)
	log := zap.New(core)
	srv := httpxtest.New(t,
		httpxtest.Reply{Status: 503},
		httpxtest.Reply{Body: okBody},
		httpxtest.Reply{Body: `{"success":true,"data":{"entries":[{"id":1,"phone_number":"5555550123"}]}}`},
	)
	dry := liveConfig(srv.URL)
	dry.Mode = "dry-run"
	ctx := t.Context()
	for _, c := range []*Client{New(dry, log, nil), New(liveConfig(srv.URL), log, nil)} {
		_ = c.UpdateLead(ctx, LeadUpdate{LeadID: "1", Status: "A"})
		_, _ = c.SearchLeads(ctx, "+15555550123")
	}
	if logs.Len() == 0 {
		t.Fatal("nothing was logged")
	}
	for _, e := range logs.All() {
		line := e.Message + " " + fmt.Sprint(e.ContextMap())
		for _, secret := range []string{testToken, "5555550123"} {
			if strings.Contains(line, secret) {
				t.Errorf("log entry leaks %q: %s", secret, line)
			}
		}
	}
}
