package crm

import (
	"context"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"go.uber.org/zap"

	"orchestrator/actors/convoso"
	"orchestrator/actors/internal/actortest"
	"orchestrator/actors/store"
	"orchestrator/config"
	"orchestrator/messages"
	"orchestrator/supervision"
)

// fakeCRM is a hand-written CRMClient: each method calls its function field.
type fakeCRM struct {
	update func(ctx context.Context, u convoso.LeadUpdate) error
	search func(ctx context.Context, phone messages.Phone) ([]messages.Lead, error)
}

func (f *fakeCRM) UpdateLead(ctx context.Context, u convoso.LeadUpdate) error {
	return f.update(ctx, u)
}

func (f *fakeCRM) SearchLeads(ctx context.Context, p messages.Phone) ([]messages.Lead, error) {
	if f.search == nil {
		return nil, nil
	}
	return f.search(ctx, p)
}

// call is one UpdateLead the fake received, with the (fake) time it came.
type call struct {
	u  convoso.LeadUpdate
	at time.Time
}

// recorder records every UpdateLead and answers with answer(n, u), n
// counting from 1.
type recorder struct {
	mu     sync.Mutex
	calls  []call
	answer func(ctx context.Context, n int, u convoso.LeadUpdate) error
}

func newRecorder(answer func(ctx context.Context, n int, u convoso.LeadUpdate) error) (*recorder, *fakeCRM) {
	r := &recorder{answer: answer}
	return r, &fakeCRM{update: func(ctx context.Context, u convoso.LeadUpdate) error {
		r.mu.Lock()
		r.calls = append(r.calls, call{u: u, at: time.Now()})
		n := len(r.calls)
		r.mu.Unlock()
		if r.answer == nil {
			return nil
		}
		return r.answer(ctx, n, u)
	}}
}

func (r *recorder) all() []call {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]call(nil), r.calls...)
}

// hang is a CRM that never answers until its request is cancelled.
func hang(ctx context.Context, _ int, _ convoso.LeadUpdate) error {
	<-ctx.Done()
	return ctx.Err()
}

func testCfg() config.CRM {
	return config.CRM{MaxTries: 5, RetryMin: 30 * time.Second, RetryMax: 30 * time.Minute, MaxItems: 100}
}

type rig struct {
	system  *actor.ActorSystem
	pid     *actor.PID
	dead    *atomic.Int64
	metrics *Metrics
}

// start spawns an outbox on a fresh actor system; zero Deps fields get test
// defaults.
func start(t testing.TB, d Deps) *rig {
	t.Helper()
	if d.Log == nil {
		d.Log = zap.NewNop()
	}
	if d.Cfg == (config.CRM{}) {
		d.Cfg = testCfg()
	}
	if d.Context == nil {
		d.Context = t.Context()
	}
	if d.Metrics == nil {
		d.Metrics = NewMetrics(prometheus.NewRegistry())
	}
	r := &rig{metrics: d.Metrics}
	r.system, r.dead = actortest.System(d.Log)
	r.pid = r.system.Root.Spawn(supervision.Props(Producer(d), d.Log, supervision.NewMetrics(prometheus.NewRegistry())))
	return r
}

func (r *rig) ask(t testing.TB, msg interface{}) interface{} {
	t.Helper()
	res, err := r.system.Root.RequestFuture(r.pid, msg, 5*time.Second).Result()
	if err != nil {
		t.Fatalf("ask %T: %v", msg, err)
	}
	return res
}

func (r *rig) outbox(t testing.TB, parked bool) messages.CRMOutbox {
	t.Helper()
	return r.ask(t, messages.GetCRMOutbox{Parked: parked}).(messages.CRMOutbox)
}

func (r *rig) stop(t testing.TB) {
	t.Helper()
	if err := r.system.Root.PoisonFuture(r.pid).Wait(); err != nil {
		t.Fatal(err)
	}
}

func (r *rig) count(result string) float64 {
	return testutil.ToFloat64(r.metrics.updates.WithLabelValues(result))
}

func openStore(t testing.TB) *store.Store {
	t.Helper()
	s, err := store.Open(filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func update(key, lead string) messages.CRMUpdate {
	return messages.CRMUpdate{Key: key, LeadID: lead, ListID: "77", Status: "CB", Summary: "wants a call back"}
}
