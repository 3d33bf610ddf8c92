package blocklist

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"

	"orchestrator/actors/store"
	"orchestrator/config"
	"orchestrator/messages"
	"orchestrator/supervision"
)

// askedCalls records the ResendCompletions a fake calls actor gets.
type askedCalls struct{ got chan uint64 }

func (a *askedCalls) Receive(c actor.Context) {
	if m, ok := c.Message().(messages.ResendCompletions); ok {
		a.got <- m.After
	}
}

// startAsked starts a blocklist with a fake calls actor, spawned after it as
// under the root.
func startAsked(t *testing.T, b *store.Bucket) (*rig, chan uint64) {
	t.Helper()
	log := zaptest.NewLogger(t)
	r := &rig{system: supervision.NewSystem(log), readiness: supervision.NewReadiness()}
	r.pid = r.system.Root.Spawn(supervision.Props(Producer(Deps{
		Log: log, Cfg: config.Default().Blocklist, Bucket: b, Readiness: r.readiness,
		Flags: prometheus.NewGauge(prometheus.GaugeOpts{Name: "x"}), Calls: actor.NewPID("nonhost", "calls"),
	}), log, supervision.NewMetrics(prometheus.NewRegistry())))
	calls := &askedCalls{got: make(chan uint64, 4)}
	if _, err := r.system.Root.SpawnNamed(supervision.Props(func() actor.Actor { return calls }, zap.NewNop(), supervision.NewMetrics(prometheus.NewRegistry())), "calls"); err != nil {
		t.Fatal(err)
	}
	return r, calls.got
}

// Every completion scanned moves the applied sequence (stored within a
// second), so a restart asks only for what came after; a phrase on a phone
// already flagged counts too, so a flag an operator cleared is not re-added
// by a resend.
func TestCompletionsScannedAreAppliedAndARestartAsksAfterThem(t *testing.T) {
	s, _ := openStore(t)
	defer s.Close()
	b := s.Bucket("blocklist")
	dnc := "assistant: hello. user: Please put me on your Do Not Call list."
	synctest.Test(t, func(t *testing.T) {
		r, asked := startAsked(t, b)
		time.Sleep(time.Second)
		synctest.Wait()
		if after := <-asked; after != 0 {
			t.Fatalf("asked after %d, want 0", after)
		}
		r.system.Root.Send(r.pid, messages.CallCompleted{Seq: 1, CallID: "c1", Phone: "+15555550123", Transcript: dnc})
		r.system.Root.Send(r.pid, messages.CallCompleted{Seq: 2, CallID: "c2", Phone: "+15555550124", Transcript: "user: ok"})
		time.Sleep(appliedEvery)
		synctest.Wait()
		if applied, err := b.Applied(); err != nil || applied != 2 {
			t.Fatalf("applied %d (%v) after appliedEvery, want 2", applied, err)
		}
		r.system.Root.Send(r.pid, messages.CallCompleted{Seq: 3, CallID: "c3", Phone: "+15555550123", Transcript: dnc})
		r.ask(t, messages.ListBlocks{Limit: 1}) // a round trip: c3 is scanned
		if applied, err := b.Applied(); err != nil || applied != 3 {
			t.Fatalf("applied %d (%v) after a phrase on a flagged phone, want 3 at once", applied, err)
		}
		r.system.Root.Send(r.pid, messages.CallCompleted{Seq: 4, CallID: "c4", Phone: "+15555550125", Transcript: "user: bye"})
		r.stop(t) // stores 4
		time.Sleep(24 * time.Hour)
		synctest.Wait()

		r, asked = startAsked(t, b)
		defer r.stop(t)
		time.Sleep(time.Second)
		synctest.Wait()
		if after := <-asked; after != 4 {
			t.Fatalf("the restart asked after %d, want 4", after)
		}
	})
}
