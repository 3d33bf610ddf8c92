package calls

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"orchestrator/messages"
)

const inboundBody = `{"call_id":"in-1","to":"+15555550188","from":"+15555550177","status":"completed","answered_by":"human","corrected_duration":50}`

// probe spawns a recorder that is not a consumer.
func (r *rig) probe() (*actor.PID, *recorder) {
	rec := newRecorder()
	return r.system.Root.Spawn(actor.PropsFromProducer(func() actor.Actor { return rec })), rec
}

// resent collects what a resend sends rec, up to its CompletionsResent.
func resent(t *testing.T, rec *recorder) ([]messages.CallCompleted, messages.CompletionsResent) {
	t.Helper()
	var got []messages.CallCompleted
	for {
		select {
		case m := <-rec.got:
			switch m := m.(type) {
			case messages.CallCompleted:
				got = append(got, m)
			case messages.CompletionsResent:
				return got, m
			default:
				t.Fatalf("unexpected %T", m)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("no CompletionsResent; got %d completions", len(got))
		}
	}
}

// resend asks for a resend after `after` to a new probe and collects it.
func (r *rig) resend(t *testing.T, after uint64) ([]messages.CallCompleted, messages.CompletionsResent) {
	t.Helper()
	pid, rec := r.probe()
	defer r.system.Root.Stop(pid)
	r.system.Root.Send(r.pid, messages.ResendCompletions{After: after, To: pid})
	return resent(t, rec)
}

func seqsOf(ccs []messages.CallCompleted) []uint64 {
	var out []uint64
	for _, cc := range ccs {
		out = append(out, cc.Seq)
	}
	return out
}

// completeCalls dials n leads and posts their completions (journal
// sequences 1..n), then an inbound call's (n+1); it returns what the
// consumer was published, in order.
func (r *rig) completeCalls(t *testing.T, n int) []messages.CallCompleted {
	t.Helper()
	for i := 1; i <= n; i++ {
		if res := r.dial(messages.DialRequest{Kind: messages.DialRedial, Lead: lead(fmt.Sprintf("L%d", i), fmt.Sprintf("+155555501%02d", i))}); res.Code != messages.DialDialled {
			t.Fatalf("dial %d: %+v", i, res)
		}
	}
	for i := 1; i <= n; i++ {
		r.post(messages.SourceCompletion, completionBody(fmt.Sprintf("call-%d", i), fmt.Sprintf("+155555501%02d", i), "completed", "voicemail", false))
	}
	r.post(messages.SourceCompletion, []byte(inboundBody))
	var published []messages.CallCompleted
	for range n + 1 {
		published = append(published, r.waitCompleted())
	}
	return published
}

func TestResendSendsTheCompletionsAfterAfterInJournalOrderAsFirstPublished(t *testing.T) {
	r := newRig(t, t.TempDir(), hoursOf(t, everyDay, false))
	defer r.close()
	published := r.completeCalls(t, 3)
	if got := seqsOf(published); !reflect.DeepEqual(got, []uint64{1, 2, 3, 4}) || !published[3].Inbound {
		t.Fatalf("published %v (inbound last: %v)", got, published[3].Inbound)
	}
	tests := []struct {
		after uint64
		want  []messages.CallCompleted
	}{
		{0, published},
		{1, published[1:]},
		{3, published[3:]},
		{4, nil},
		{99, nil},
	}
	check := func(t *testing.T, after uint64, want []messages.CallCompleted) {
		t.Helper()
		got, done := r.resend(t, after)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("after %d: resent %v, want %v\n got  %+v\n want %+v", after, seqsOf(got), seqsOf(want), got, want)
		}
		if done != (messages.CompletionsResent{Through: 4}) {
			t.Fatalf("after %d: %+v", after, done)
		}
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint("after ", tt.after), func(t *testing.T) { check(t, tt.after, tt.want) })
	}

	t.Run("several at once", func(t *testing.T) {
		a, recA := r.probe()
		b, recB := r.probe()
		defer r.system.Root.Stop(a)
		defer r.system.Root.Stop(b)
		r.system.Root.Send(r.pid, messages.ResendCompletions{After: 2, To: a})
		r.system.Root.Send(r.pid, messages.ResendCompletions{After: 0, To: b})
		if got, _ := resent(t, recA); !reflect.DeepEqual(got, published[2:]) {
			t.Fatalf("after 2: %v", seqsOf(got))
		}
		if got, _ := resent(t, recB); !reflect.DeepEqual(got, published) {
			t.Fatalf("after 0: %v", seqsOf(got))
		}
	})

	t.Run("after a restart", func(t *testing.T) {
		r.stopCalls()
		r.start()
		check(t, 1, published[1:])
	})
}

func TestResendLeavesAHeldCompletionToPublishAndResendsItWhenPublishedLate(t *testing.T) {
	r := newRig(t, t.TempDir(), hoursOf(t, everyDay, false))
	defer r.close()
	r.dial(messages.DialRequest{Kind: messages.DialRedial, Lead: lead("L1", "+15555550101")})
	r.post(messages.SourceCompletion, completionBody("call-1", "+15555550101", "completed", "voicemail", false))
	first := r.waitCompleted()

	// The second dial hangs in the provider while its completion arrives:
	// calls holds it until the dial is recorded.
	hold := make(chan struct{})
	r.dialer.mu.Lock()
	r.dialer.hold = hold
	r.dialer.mu.Unlock()
	r.system.Root.Send(r.pid, messages.DialRequest{Kind: messages.DialRedial, Lead: lead("L2", "+15555550102")})
	for r.dialer.count() < 2 {
		r.system.Root.RequestFuture(r.pid, messages.GetActiveCalls{}, time.Second).Wait() // a round trip, no sleep
	}
	r.post(messages.SourceCompletion, completionBody("call-2", "+15555550102", "completed", "voicemail", false)) // seq 2: held
	r.post(messages.SourceCompletion, []byte(inboundBody))                                                       // seq 3
	inbound := r.waitCompleted()                                                                                 // so seq 2 was taken too
	if inbound.Seq != 3 {
		t.Fatalf("published %+v, want the inbound call (seq 3)", inbound)
	}

	if got, done := r.resend(t, 0); !reflect.DeepEqual(got, []messages.CallCompleted{first, inbound}) || done.Through != 3 {
		t.Fatalf("with call-2 held: resent %v, %+v; want 1 and 3 (2 is not published yet)", seqsOf(got), done)
	}

	close(hold)
	late := r.waitCompleted()
	if late.CallID != "call-2" || late.Seq != 2 {
		t.Fatalf("published late %+v", late)
	}
	// A consumer that had applied 3 may lack 2, published after 3.
	if got, _ := r.resend(t, 3); !reflect.DeepEqual(got, []messages.CallCompleted{late}) {
		t.Fatalf("after 3: resent %v, want the late completion 2", seqsOf(got))
	}
	// One that had applied 2 had it: only 3 follows.
	if got, _ := r.resend(t, 2); !reflect.DeepEqual(got, []messages.CallCompleted{inbound}) {
		t.Fatalf("after 2: resent %v, want 3", seqsOf(got))
	}
}

func TestAConsumerBeingResentToGetsLiveCompletionsInJournalOrder(t *testing.T) {
	r := newRig(t, t.TempDir(), hoursOf(t, everyDay, false))
	defer r.close()
	for i := 1; i <= 3; i++ {
		r.dial(messages.DialRequest{Kind: messages.DialRedial, Lead: lead(fmt.Sprintf("L%d", i), fmt.Sprintf("+155555501%02d", i))})
	}
	for i := 1; i <= 2; i++ {
		r.post(messages.SourceCompletion, completionBody(fmt.Sprintf("call-%d", i), fmt.Sprintf("+155555501%02d", i), "completed", "voicemail", false))
		r.waitCompleted()
	}

	// The consumer restarted: its resend's first page is read, but slow to come.
	r.journal.mu.Lock()
	r.journal.holdRefs = 1
	r.journal.mu.Unlock()
	r.system.Root.Send(r.pid, messages.ResendCompletions{After: 0, To: r.deps.Consumers[0]})
	r.post(messages.SourceCompletion, completionBody("call-3", "+15555550103", "completed", "voicemail", false))
	for {
		res, err := r.system.Root.RequestFuture(r.pid, messages.GetCall{CallID: "call-3"}, time.Second).Result()
		if err != nil {
			t.Fatal(err)
		}
		if res.(messages.CallLookup).Call.State == stateDone {
			break
		}
	}
	r.system.Root.Send(r.jpid, releaseHeld{})

	// Completion 3 was applied during the resend: the consumer gets it after
	// 1 and 2, from the resend, not before them.
	got, done := resent(t, r.consumer)
	if !reflect.DeepEqual(seqsOf(got), []uint64{1, 2, 3}) || done != (messages.CompletionsResent{Through: 3}) {
		t.Fatalf("consumer got %v then %+v, want 1 2 3 then through 3", seqsOf(got), done)
	}
	if r.dead.Load() != 0 {
		t.Fatalf("%d dead letters", r.dead.Load())
	}
}
