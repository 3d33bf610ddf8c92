package stats

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/prometheus/client_golang/prometheus"
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
	system *actor.ActorSystem
	pid    *actor.PID
	actor  *Stats // the incarnation spawned; read only after it stopped
	dead   *atomic.Int64
}

// start spawns the statistics in a fresh actor system; now nil is the
// (fake, inside synctest) wall clock, calls nil asks nobody to resend.
func start(t *testing.T, b *store.Bucket, now func() time.Time, calls func(system *actor.ActorSystem) *actor.PID) *rig {
	t.Helper()
	schedule, err := businesshours.NewSchedule(config.Default().Business) // America/New_York
	if err != nil {
		t.Fatal(err)
	}
	log := zaptest.NewLogger(t, zaptest.Level(zap.InfoLevel))
	r := &rig{}
	r.system, r.dead = actortest.System(log)
	d := Deps{Log: log, Cfg: config.Default().Stats, Schedule: schedule, Bucket: b, Now: now}
	if calls != nil {
		d.Calls = calls(r.system)
	}
	produce := Producer(d)
	r.pid = r.system.Root.Spawn(supervision.Props(func() actor.Actor {
		a := produce().(*Stats)
		r.actor = a
		return a
	}, log, supervision.NewMetrics(prometheus.NewRegistry())))
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

func (r *rig) day(t *testing.T, date string) messages.DayStats {
	t.Helper()
	res := r.ask(t, messages.GetDayStats{Date: date}).(messages.DayStatsResult)
	if res.Err != "" {
		t.Fatalf("day %q: %s", date, res.Err)
	}
	return res.Stats
}

func (r *rig) send(calls ...messages.CallCompleted) {
	for _, c := range calls {
		r.system.Root.Send(r.pid, c)
	}
}

// stop poisons the actor (queued messages are processed first).
func (r *rig) stop(t *testing.T) {
	t.Helper()
	if err := r.system.Root.PoisonFuture(r.pid).Wait(); err != nil {
		t.Fatal(err)
	}
}

var openStore = actortest.OpenStore

func openBucket(t testing.TB) *store.Bucket { return actortest.OpenBucket(t, supervision.Stats) }

var keys = actortest.Keys

var ny = actortest.NY

func fixed(at time.Time) func() time.Time { return func() time.Time { return at } }

// call is a completion; at zero means "now".
func call(id string, seq uint64, outcome messages.Outcome, at time.Time) messages.CallCompleted {
	return messages.CallCompleted{CallID: id, Seq: seq, Outcome: outcome, CompletedAt: at,
		Answered: outcome == messages.OutcomeTransferred, Transferred: outcome == messages.OutcomeTransferred}
}
