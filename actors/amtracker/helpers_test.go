package amtracker

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"

	"orchestrator/actors/businesshours"
	"orchestrator/actors/internal/actortest"
	"orchestrator/actors/store"
	"orchestrator/config"
	"orchestrator/messages"
	"orchestrator/supervision"
)

type rig struct {
	system  *actor.ActorSystem
	pid     *actor.PID
	metrics *Metrics
	dead    *atomic.Int64
}

// start spawns the tracker in a fresh actor system; now nil is the (fake,
// inside synctest) wall clock.
func start(t *testing.T, cfg config.AMTracker, b *store.Bucket, now func() time.Time) *rig {
	t.Helper()
	schedule, err := businesshours.NewSchedule(config.Default().Business) // America/New_York
	if err != nil {
		t.Fatal(err)
	}
	log := zaptest.NewLogger(t, zaptest.Level(zap.InfoLevel))
	r := &rig{metrics: NewMetrics(prometheus.NewRegistry())}
	r.system, r.dead = actortest.System(log)
	r.pid = r.system.Root.Spawn(supervision.Props(Producer(Deps{
		Log: log, Cfg: cfg, Schedule: schedule, Bucket: b, Metrics: r.metrics, Now: now,
	}), log, supervision.NewMetrics(prometheus.NewRegistry())))
	return r
}

func (r *rig) ask(t *testing.T, msg interface{}) interface{} {
	t.Helper()
	res, err := r.system.Root.RequestFuture(r.pid, msg, 5*time.Second).Result()
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func (r *rig) check(t *testing.T, q messages.CheckAMCap) messages.AMCapStatus {
	t.Helper()
	return r.ask(t, q).(messages.AMCapStatus)
}

func (r *rig) stats(t *testing.T) messages.AMStats {
	t.Helper()
	return r.ask(t, messages.GetAMStats{}).(messages.AMStats)
}

func (r *rig) send(calls ...messages.CallCompleted) {
	for _, c := range calls {
		r.system.Root.Send(r.pid, c)
	}
}

func (r *rig) atCap() float64 { return testutil.ToFloat64(r.metrics.atCap) }

// stop poisons the tracker (queued messages are processed first).
func (r *rig) stop(t *testing.T) {
	t.Helper()
	if err := r.system.Root.PoisonFuture(r.pid).Wait(); err != nil {
		t.Fatal(err)
	}
}

var openStore = actortest.OpenStore

func openBucket(t testing.TB) *store.Bucket { return actortest.OpenBucket(t, supervision.AMTracker) }

var keys = actortest.Keys

var newYork = actortest.NewYork

var ny = actortest.NY

// sleepUntil advances fake time to at and lets every actor settle.
var sleepUntil = actortest.SleepUntil

// call is a completion of a lead on a phone; at zero means "now".
func call(id, lead string, phone messages.Phone, outcome messages.Outcome, at time.Time) messages.CallCompleted {
	return messages.CallCompleted{CallID: id, LeadID: lead, Phone: phone, Outcome: outcome, CompletedAt: at}
}

// reopen opens the state file at path again, closed at cleanup.
func reopen(t *testing.T, path string) *store.Store {
	t.Helper()
	s, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}
