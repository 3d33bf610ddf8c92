package redial

import (
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"go.uber.org/zap"

	"orchestrator/messages"
	"orchestrator/supervision"
)

// fakeCalls answers ResendCompletions from the completions it was told were
// published, from After inclusive (so one already applied comes again), and
// reports each request's After once the resend is sent.
type fakeCalls struct {
	mu        sync.Mutex
	published []messages.CallCompleted
	asked     chan uint64
}

func (f *fakeCalls) publish(ccs ...messages.CallCompleted) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.published = append(f.published, ccs...)
}

func (f *fakeCalls) Receive(c actor.Context) {
	m, ok := c.Message().(messages.ResendCompletions)
	if !ok {
		return // the cadence's dial requests: not this test's business
	}
	f.mu.Lock()
	var through uint64
	for _, cc := range f.published {
		if cc.Seq >= m.After {
			c.Send(m.To, cc)
		}
		through = max(through, cc.Seq)
	}
	f.mu.Unlock()
	c.Send(m.To, messages.CompletionsResent{Through: through})
	f.asked <- m.After
}

func TestACompletionLostInACrashIsResentAndAppliedOnce(t *testing.T) {
	b := openBucket(t)
	r := start(t, testConfig(), b, &gate{})
	defer r.stop(t)
	calls := &fakeCalls{asked: make(chan uint64, 8)}
	callsPID := r.system.Root.Spawn(supervision.Props(func() actor.Actor { return calls }, zap.NewNop(), r.sm))
	defer r.system.Root.Stop(callsPID)
	r.deps.Calls = callsPID
	r.restart(t)
	if after := <-calls.asked; after != 0 {
		t.Fatalf("a fresh cadence asked for completions after %d, want 0", after)
	}

	const phone = messages.Phone("+15555550123")
	completion := func(seq uint64, id string) messages.CallCompleted {
		return messages.CallCompleted{Seq: seq, CallID: id, Phone: phone, LeadID: "L1", ListID: "7",
			Outcome: messages.OutcomeNoAnswer, CompletedAt: time.Now()}
	}
	c1, c2, c3 := completion(1, "call-1"), completion(2, "call-2"), completion(3, "call-3")
	calls.publish(c1, c2, c3)
	r.send(c1)
	r.send(c2) // c3 was published too, but the daemon died before the cadence got it
	if got := r.record(t, phone); got.Attempts != 2 {
		t.Fatalf("before the crash: %d attempts, want 2", got.Attempts)
	}

	for round, want := range []uint64{2, 3} { // the applied sequence each restart asks after
		r.restart(t)
		if after := <-calls.asked; after != want {
			t.Fatalf("restart %d asked for completions after %d, want %d (the last one stored)", round+1, after, want)
		}
		got := r.record(t, phone)
		if got.Attempts != 3 || !reflect.DeepEqual(got.Calls, []string{"call-1", "call-2", "call-3"}) {
			t.Fatalf("restart %d: %d attempts, calls %v; want call-3 applied once by the resend, the others not again",
				round+1, got.Attempts, got.Calls)
		}
	}
	if applied, err := b.Applied(); err != nil || applied != 3 {
		t.Fatalf("applied sequence %d (%v), want 3", applied, err)
	}
}
