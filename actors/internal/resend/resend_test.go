package resend

import (
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap/zaptest"

	"orchestrator/messages"
	"orchestrator/supervision"
)

// consumer is the smallest user of an Asker: applied 7 at start. open
// mirrors the Asker's for the test goroutine.
type consumer struct {
	a    *Asker
	open *atomic.Bool
}

func (k *consumer) Receive(c actor.Context) {
	defer func() { k.open.Store(k.a.open) }()
	switch m := c.Message().(type) {
	case *actor.Started:
		k.a.Ask(c, 7)
	case messages.CompletionsResent:
		k.a.Resent(c, m)
	case Retry:
		k.a.Retried(c)
	}
}

// calls reports each request's After and fails the first one.
type calls struct {
	asked chan uint64
	n     int
}

func (f *calls) Receive(c actor.Context) {
	if m, ok := c.Message().(messages.ResendCompletions); ok {
		f.asked <- m.After
		f.n++
		done := messages.CompletionsResent{Through: 9}
		if f.n == 1 {
			done = messages.CompletionsResent{Through: 8, Err: "cannot read the journal"}
		}
		c.Send(m.To, done)
	}
}

func TestAskWaitsForTheCallsActorThenAsksAgainAfterAFailure(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		log := zaptest.NewLogger(t)
		system := supervision.NewSystem(log)
		var dead atomic.Int64
		system.EventStream.Subscribe(func(e interface{}) {
			if _, ok := e.(*actor.DeadLetterEvent); ok {
				dead.Add(1)
			}
		})
		callsPID := actor.NewPID(system.Address(), "calls")
		var open atomic.Bool
		sm := supervision.NewMetrics(prometheus.NewRegistry())
		pid := system.Root.Spawn(supervision.Props(func() actor.Actor {
			return &consumer{a: &Asker{Calls: callsPID, Log: log}, open: &open}
		}, log, sm))

		time.Sleep(time.Second) // the calls actor is not spawned yet: the consumer waits
		synctest.Wait()
		if dead.Load() != 0 || !open.Load() {
			t.Fatalf("before the calls actor: %d dead letters, open %v", dead.Load(), open.Load())
		}

		f := &calls{asked: make(chan uint64, 8)}
		if _, err := system.Root.SpawnNamed(supervision.Props(func() actor.Actor { return f }, log, sm), "calls"); err != nil {
			t.Fatal(err)
		}
		time.Sleep(spawnWait) // asked; the resend fails
		synctest.Wait()
		if after := <-f.asked; after != 7 || !open.Load() {
			t.Fatalf("asked after %d, open %v; want a request after 7, still open", after, open.Load())
		}
		time.Sleep(errorWait) // asked again from the same sequence; done
		synctest.Wait()
		if after := <-f.asked; after != 7 || open.Load() {
			t.Fatalf("asked after %d, open %v; want a second request after 7, and done", after, open.Load())
		}
		time.Sleep(time.Hour)
		synctest.Wait()
		if len(f.asked) != 0 || dead.Load() != 0 {
			t.Fatalf("%d more requests, %d dead letters: want none once done", len(f.asked), dead.Load())
		}
		if err := system.Root.PoisonFuture(pid).Wait(); err != nil {
			t.Fatal(err)
		}
		_ = system.Root.PoisonFuture(callsPID).Wait()
	})
}
