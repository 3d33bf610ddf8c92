package gateway

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"go.uber.org/goleak"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"

	"orchestrator/config"
	"orchestrator/messages"
	"orchestrator/supervision"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("github.com/asynkron/protoactor-go/actor.NewDeadLetter.NewThrottle.func4.1"))
}

// fakeJournal answers appends with err (empty: success) or not at all.
type fakeJournal struct {
	err     string
	silent  bool
	appends atomic.Int64
}

func (f *fakeJournal) Receive(c actor.Context) {
	if m, ok := c.Message().(messages.AppendWebhook); ok {
		n := f.appends.Add(1)
		if !f.silent {
			m.Reply <- messages.WebhookAppended{Seq: uint64(n), Err: f.err}
		}
	}
}

type rig struct {
	g       *Gateway
	h       http.Handler
	journal *fakeJournal
	metrics *Metrics
	system  *actor.ActorSystem
	pid     *actor.PID
}

func newRig(t testing.TB, cfg config.Config, j *fakeJournal) *rig {
	t.Helper()
	system := supervision.NewSystem(zap.NewNop())
	pid := system.Root.Spawn(actor.PropsFromProducer(func() actor.Actor { return j }))
	t.Cleanup(func() { _ = system.Root.StopFuture(pid).Wait() })
	reg := prometheus.NewRegistry()
	loc, _ := time.LoadLocation("America/New_York")
	r := &rig{journal: j, metrics: NewMetrics(reg), system: system, pid: pid}
	r.g = Producer(Deps{
		Log: zaptest.NewLogger(t), Cfg: cfg, Readiness: supervision.NewReadiness(), Gatherer: reg,
		Metrics: r.metrics, System: system, Journal: pid, Location: loc, StartedAt: time.Now(),
	})().(*Gateway)
	r.h = r.g.routes()
	return r
}

func (r *rig) post(path, ctype string, body []byte, header http.Header) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	w := httptest.NewRecorder()
	r.h.ServeHTTP(w, req)
	return w
}

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("../../test/testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestJournalFailureAnswers429WithRetryAfterNever2xx(t *testing.T) {
	cfg := config.Default()
	for _, j := range []*fakeJournal{{err: "write: no space left on device"}, {silent: true}} {
		cfg.HTTP.RequestTimeout = 50 * time.Millisecond // the silent journal times out
		r := newRig(t, cfg, j)
		w := r.post("/webhooks/bland-callback", "application/json", fixture(t, "bland_completion_voicemail.json"), nil)
		if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") != "5" {
			t.Fatalf("journal %+v: got %d Retry-After=%q %s, want 429 with Retry-After 5", j, w.Code, w.Header().Get("Retry-After"), w.Body)
		}
		var e errorBody
		if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil || e.Error != "journal_unavailable" {
			t.Fatalf("body %s", w.Body)
		}
		if got := testutil.ToFloat64(r.metrics.webhooks.WithLabelValues(messages.SourceCompletion, "unavailable")); got != 1 {
			t.Errorf("webhooks_total{unavailable} = %v, want 1", got)
		}
	}
}

func TestSuccessAnswersKeepTheOldShapes(t *testing.T) {
	r := newRig(t, config.Default(), &fakeJournal{})
	tests := []struct {
		path, fixture string
		status        int
		want          []string
	}{
		{"/webhooks/awhealth-outbound", "crm_lead.json", 202, []string{`"success":true`, `"message":"Lead received`}},
		{"/webhooks/bland-callback", "bland_completion_no_answer.json", 200, []string{`"call_id":"8a7b6c5d-1111-4e2f-9a3b-000000000004"`}},
		{"/webhooks/call-back", "crm_call_back.json", 202, []string{`"success":true`}},
		{"/webhooks/sms-reply", "sms_reply_callback.json", 200, []string{`"classification":"callback"`}},
	}
	for _, tt := range tests {
		w := r.post(tt.path, "application/json; charset=utf-8", fixture(t, tt.fixture), nil)
		if w.Code != tt.status || w.Header().Get("Content-Type") != "application/json" {
			t.Errorf("%s = %d %s", tt.path, w.Code, w.Body)
		}
		for _, s := range tt.want {
			if !strings.Contains(w.Body.String(), s) {
				t.Errorf("%s answered %s, want %s", tt.path, w.Body, s)
			}
		}
		if w.Header().Get("X-Request-ID") == "" || !strings.Contains(w.Body.String(), w.Header().Get("X-Request-ID")) {
			t.Errorf("%s: request id missing from header or body", tt.path)
		}
	}
	if got := r.journal.appends.Load(); got != 4 {
		t.Errorf("journal got %d appends, want 4", got)
	}
}

func TestValidationFailureIsJournaledAndNamesEachField(t *testing.T) {
	r := newRig(t, config.Default(), &fakeJournal{})
	w := r.post("/webhooks/awhealth-outbound", "application/json", []byte(`{"phone_number":"12"}`), nil)
	if w.Code != 400 {
		t.Fatalf("got %d", w.Code)
	}
	var e struct {
		Error  string
		Fields []messages.FieldError
	}
	_ = json.Unmarshal(w.Body.Bytes(), &e)
	names := map[string]bool{}
	for _, f := range e.Fields {
		names[f.Field] = true
	}
	if e.Error != "invalid_fields" || !names["phone_number"] || !names["lead_id"] || !names["list_id"] {
		t.Fatalf("got %s", w.Body)
	}
	if r.journal.appends.Load() != 1 {
		t.Fatalf("the rejected webhook was not journaled")
	}
}

func TestAdminAPIIsOffUntilAKeyIsSetThenNeedsIt(t *testing.T) {
	get := func(r *rig, key string) int {
		req := httptest.NewRequest(http.MethodGet, "/api/admin/webhook-logs/today", nil)
		if key != "" {
			req.Header.Set("x-api-key", key)
		}
		w := httptest.NewRecorder()
		r.h.ServeHTTP(w, req)
		return w.Code
	}
	if code := get(newRig(t, config.Default(), &fakeJournal{}), "anything"); code != 403 {
		t.Errorf("admin without a configured key = %d, want 403", code)
	}
	cfg := config.Default()
	cfg.Admin.APIKey = "k3y"
	r := newRig(t, cfg, &fakeJournal{})
	if code := get(r, ""); code != 401 {
		t.Errorf("no key = %d, want 401", code)
	}
	if code := get(r, "k3x"); code != 401 {
		t.Errorf("wrong key = %d, want 401", code)
	}
}

func TestReadyzFollowsReadiness(t *testing.T) {
	r := newRig(t, config.Default(), &fakeJournal{})
	check := func() int {
		w := httptest.NewRecorder()
		r.h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/readyz", nil))
		return w.Code
	}
	if check() != 503 {
		t.Error("ready while starting")
	}
	r.g.d.Readiness.Set("daemon", true, "")
	if check() != 200 {
		t.Error("not ready once started")
	}
	r.g.d.Readiness.Set("journal", false, "disk full")
	if check() != 503 {
		t.Error("ready while the journal fails")
	}
}
