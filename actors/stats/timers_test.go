package stats

import (
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"orchestrator/messages"
	"orchestrator/supervision"
)

// The synctest bubble starts at 2000-01-01 00:00 UTC, 19:00 on 1999-12-31 in
// New York.
const bubbleDay = "1999-12-31"

// settle advances fake time by d and lets the actors finish what it caused.
func settle(d time.Duration) {
	time.Sleep(d)
	synctest.Wait()
}

func TestCompletionsAreCommittedTogetherByTheFlushTimer(t *testing.T) {
	b := openBucket(t)
	synctest.Test(t, func(t *testing.T) {
		r := start(t, b, nil, nil)
		for i := range 1000 {
			r.send(call(fmt.Sprintf("c%d", i), uint64(i+1), vm, time.Time{}))
		}
		if got := r.day(t, bubbleDay); got.TotalCalls != 1000 {
			t.Fatalf("counted %d, want 1000", got.TotalCalls)
		}
		if k := keys(t, b); len(k) != 0 {
			t.Fatalf("%d records stored before the flush timer fired; want none (no commit per completion)", len(k))
		}
		settle(flushEvery)
		if k := keys(t, b); len(k) != 1001 {
			t.Fatalf("%d records after the flush, want the day and 1000 call ids", len(k))
		}
		if applied, _ := b.Applied(); applied != 1000 {
			t.Errorf("applied = %d, want 1000", applied)
		}
		r.stop(t)
	})
}

func TestTheFlushTimerIsCancelledAtStopAndTheBatchIsStored(t *testing.T) {
	b := openBucket(t)
	synctest.Test(t, func(t *testing.T) {
		r := start(t, b, nil, nil)
		r.send(call("c1", 4, vm, time.Time{}))
		if got := r.day(t, ""); got.TotalCalls != 1 {
			t.Fatalf("today = %+v", got)
		}
		if n := r.actor.timers.Active(); n != 1 {
			t.Fatalf("%d timers active after a completion, want the flush timer", n)
		}
		r.stop(t)
		settle(24 * time.Hour)
		if n := r.dead.Load(); n != 0 {
			t.Errorf("%d dead letters after stop", n)
		}
		if n := r.actor.timers.Active(); n != 0 {
			t.Errorf("%d timers still active after stop", n)
		}
		if applied, _ := b.Applied(); applied != 4 {
			t.Errorf("applied = %d after stop, want 4: the stop flushes", applied)
		}
	})
}

// After a crash the actor asks the calls actor, once it is spawned (it
// starts after us), to resend what it published after the applied sequence;
// applied stays put until the resend is complete.
func TestRecoveryAsksForAResendAndHoldsAppliedUntilItIsComplete(t *testing.T) {
	b := openBucket(t)
	synctest.Test(t, func(t *testing.T) {
		r := start(t, b, nil, nil)
		r.send(call("c1", 3, vm, time.Time{}))
		r.stop(t)
	})
	synctest.Test(t, func(t *testing.T) {
		asked := make(chan messages.ResendCompletions, 4)
		r := start(t, b, nil, func(system *actor.ActorSystem) *actor.PID {
			return actor.NewPID(system.Address(), "calls") // not spawned yet
		})
		settle(time.Second) // the calls actor is not there yet: asked for later
		calls, err := r.system.Root.SpawnNamed(supervision.Props(func() actor.Actor {
			return actor.ReceiveFunc(func(c actor.Context) {
				if m, ok := c.Message().(messages.ResendCompletions); ok {
					asked <- m
				}
			})
		}, zap.NewNop(), supervision.NewMetrics(prometheus.NewRegistry())), "calls")
		if err != nil {
			t.Fatal(err)
		}
		settle(time.Second)
		select {
		case m := <-asked:
			if m.After != 3 || !m.To.Equal(r.pid) {
				t.Fatalf("asked %+v, want after 3 to %v", m, r.pid)
			}
		default:
			t.Fatal("the calls actor was never asked to resend")
		}

		// The resend: c1 again (committed before the crash), then c2 and c3.
		r.send(call("c1", 3, vm, time.Time{}), call("c2", 4, na, time.Time{}), call("c3", 5, tr, time.Time{}))
		settle(flushEvery)
		if applied, _ := b.Applied(); applied != 3 {
			t.Fatalf("applied = %d while the resend runs, want 3", applied)
		}
		if k := keys(t, b); len(k) != 4 {
			t.Fatalf("stored %q, want the day and three call ids", k)
		}
		r.system.Root.Send(r.pid, messages.CompletionsResent{Through: 5})
		settle(flushEvery)
		if applied, _ := b.Applied(); applied != 5 {
			t.Errorf("applied = %d after the resend, want 5", applied)
		}
		if got := r.day(t, ""); got.TotalCalls != 3 {
			t.Errorf("today = %+v, want 3 calls", got.StatsCounts)
		}
		r.stop(t)
		_ = r.system.Root.StopFuture(calls).Wait()
		if n := r.dead.Load(); n != 0 {
			t.Errorf("%d dead letters: the resend request was sent before the calls actor existed", n)
		}
	})
}
