package crm

import (
	"testing"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"orchestrator/messages"
	"orchestrator/supervision"
)

// asked records the ResendCompletions a fake calls actor gets.
type asked struct {
	got chan messages.ResendCompletions
}

func (a *asked) Receive(c actor.Context) {
	if m, ok := c.Message().(messages.ResendCompletions); ok {
		a.got <- m
	}
}

// startWithCalls starts an outbox whose calls actor is spawned after it, as
// under the root; it returns what that calls actor is asked.
func startWithCalls(t *testing.T, d Deps) (*rig, chan messages.ResendCompletions) {
	t.Helper()
	d.Calls = actor.NewPID("nonhost", "calls") // the local address
	r := start(t, d)
	calls := &asked{got: make(chan messages.ResendCompletions, 4)}
	if _, err := r.system.Root.SpawnNamed(supervision.Props(func() actor.Actor { return calls }, zap.NewNop(), supervision.NewMetrics(prometheus.NewRegistry())), "calls"); err != nil {
		t.Fatal(err)
	}
	return r, calls.got
}

// The applied sequence is the highest completion handled, with or without a
// lead to update, and never the sequence of an update from another stream:
// a restart asks the calls actor for the completions after it.
func TestTheAppliedSequenceCountsCompletionsOnlyAndARestartAsksAfterIt(t *testing.T) {
	s := openStore(t)
	_, crm := newRecorder(nil)
	r, asked := startWithCalls(t, Deps{Bucket: s.Bucket("crm"), Client: crm})
	if m := <-asked; m.After != 0 || !m.To.Equal(r.pid) {
		t.Fatalf("first start asked %+v", m)
	}
	completed := func(seq uint64, id, lead string) messages.CallCompleted {
		return messages.CallCompleted{Seq: seq, CallID: id, LeadID: lead, Outcome: messages.OutcomeVoicemail}
	}
	r.system.Root.Send(r.pid, completed(3, "c3", "900"))
	r.system.Root.Send(r.pid, completed(4, "c4", "")) // no lead: nothing to update, applied all the same
	sms := update("dnc:+15555550123", "900")
	sms.Seq = 50 // an SMS reply's record: not a completion
	r.ask(t, sms)
	r.system.Root.Send(r.pid, completed(3, "c3", "900")) // resent: a duplicate
	r.stop(t)
	if applied, err := s.Bucket("crm").Applied(); err != nil || applied != 4 {
		t.Fatalf("applied %d (%v), want 4", applied, err)
	}
	if got := r.count(resultDuplicate); got != 1 {
		t.Fatalf("%v duplicates, want the resent completion", got)
	}

	r, asked = startWithCalls(t, Deps{Bucket: s.Bucket("crm"), Client: crm})
	defer r.stop(t)
	if m := <-asked; m.After != 4 {
		t.Fatalf("the restart asked after %d, want 4", m.After)
	}
}
