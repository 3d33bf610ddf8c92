package calls

import (
	"errors"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"orchestrator/messages"
)

const leadBody = `{"lead_id":"900123","list_id":"4242","phone_number":"5555550123","first_name":"Jane"}`

func TestLeadWebhookIsDialledAndItsCompletionPublishedOnce(t *testing.T) {
	r := newRig(t, t.TempDir(), hoursOf(t, everyDay, false))
	defer r.close()
	r.post(messages.SourceLead, []byte(leadBody))
	r.post(messages.SourceLead, []byte(leadBody)) // the CRM re-pushing it: duplicate, not a second dial
	var callID string
	for callID == "" {
		r.system.Root.RequestFuture(r.pid, messages.DialRequest{Kind: messages.DialAdmin}, time.Second).Wait() // a no-phone request: a round trip
		if r.dialer.count() > 0 {
			callID = "call-1"
		}
	}
	r.post(messages.SourceCompletion, completionBody(callID, "+15555550123", "no-answer", "no-answer", false))
	r.post(messages.SourceCompletion, completionBody(callID, "+15555550123", "completed", "voicemail", false))
	cc := r.waitCompleted()
	if cc.CallID != callID || cc.LeadID != "900123" || cc.ListID != "4242" || cc.Outcome != messages.OutcomeNoAnswer || cc.Inbound {
		t.Fatalf("published %+v", cc)
	}
	// A round trip through the gate proves the second completion was handled.
	if res := r.dial(messages.DialRequest{Kind: messages.DialRedial, Lead: lead("900123", "+15555550123")}); res.Code != messages.DialDialled {
		t.Fatalf("phone not free after the completion: %+v", res)
	}
	select {
	case m := <-r.consumer.got:
		t.Fatalf("a second publication: %#v", m)
	default:
	}
	if got := r.dialer.count(); got != 2 {
		t.Fatalf("provider asked %d times, want 2 (the lead once, the redial once)", got)
	}
}

func TestUnknownCallIDIsAnInboundCall(t *testing.T) {
	r := newRig(t, t.TempDir(), hoursOf(t, everyDay, false))
	defer r.close()
	r.post(messages.SourceCompletion, []byte(`{"call_id":"in-1","to":"+15555550188","from":"+15555550177","status":"completed","answered_by":"human","corrected_duration":50}`))
	if cc := r.waitCompleted(); !cc.Inbound || cc.Phone != "+15555550177" {
		t.Fatalf("inbound from a customer: %+v", cc)
	}
	// "from" is our own caller id: the customer is "to".
	r.post(messages.SourceCompletion, []byte(`{"call_id":"in-2","to":"+15555550166","from":"+15555550188","status":"completed"}`))
	if cc := r.waitCompleted(); !cc.Inbound || cc.Phone != "+15555550166" {
		t.Fatalf("from our own number: %+v", cc)
	}
}

func TestSilentCallBecomesUnknownFreesItsPhoneAndALateCompletionStillApplies(t *testing.T) {
	dir := t.TempDir()
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, dir, hoursOf(t, everyDay, false))
		first := r.dial(messages.DialRequest{Kind: messages.DialRedial, Lead: lead("L1", "+15555550123")})
		time.Sleep(41 * time.Minute)
		synctest.Wait()
		if got := testutil.ToFloat64(r.deps.Metrics.unknown); got != 1 {
			t.Fatalf("unknown calls = %v, want 1", got)
		}
		if res := r.dial(messages.DialRequest{Kind: messages.DialRedial, Lead: lead("L1", "+15555550123")}); res.Code != messages.DialDialled {
			t.Fatalf("phone still held after the pending timeout: %+v", res)
		}
		r.post(messages.SourceCompletion, completionBody(first.CallID, "+15555550123", "completed", "voicemail", false))
		if cc := r.waitCompleted(); cc.CallID != first.CallID || cc.Outcome != messages.OutcomeVoicemail {
			t.Fatalf("late completion: %+v", cc)
		}
		r.close()
		time.Sleep(48 * time.Hour)
		synctest.Wait()
		if n := r.dead.Load(); n != 0 {
			t.Fatalf("%d dead letters after stop", n)
		}
	})
}

func TestADialCutShortByAStopHoldsItsPhoneAfterARestart(t *testing.T) {
	dir := t.TempDir()
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, dir, hoursOf(t, everyDay, false))
		r.dialer.hold = make(chan struct{}) // the provider never answers
		r.system.Root.Send(r.pid, messages.DialRequest{Kind: messages.DialRedial, Lead: lead("L1", "+15555550123")})
		synctest.Wait()
		r.stopCalls() // cancels the provider request; the intent stays
		r.dialer.hold = nil
		r.start()
		res := r.dial(messages.DialRequest{Kind: messages.DialRedial, Lead: lead("L1", "+15555550123")})
		if res.Code != messages.DialBusy {
			t.Fatalf("after a restart the interrupted dial's phone answered %s, want busy (never redialled blindly)", res.Code)
		}
		time.Sleep(41 * time.Minute)
		synctest.Wait()
		if res := r.dial(messages.DialRequest{Kind: messages.DialRedial, Lead: lead("L1", "+15555550123")}); res.Code != messages.DialDialled {
			t.Fatalf("after the pending timeout: %s", res.Code)
		}
		r.close()
	})
}

// A dial cut by a crash holds its phone until calls.pending_timeout; the
// gate tells the cadence to ask again then, not a whole busy_retry later,
// and dials it at that instant.
func TestACutDialsPhoneIsRetriedWhenReleased(t *testing.T) {
	dir := t.TempDir()
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, dir, hoursOf(t, everyDay, false))
		r.stopCalls()
		r.deps.Cfg.PendingTimeout = 2 * time.Minute // shorter than busy_retry (5m)
		r.start()
		r.dialer.hold = make(chan struct{})
		requested := time.Now()
		r.system.Root.Send(r.pid, messages.DialRequest{Kind: messages.DialRedial, Lead: lead("L1", "+15555550123")})
		synctest.Wait()
		r.stopCalls()
		r.dialer.hold = nil
		r.start()
		time.Sleep(30 * time.Second)
		res := r.dial(messages.DialRequest{Kind: messages.DialRedial, Lead: lead("L1", "+15555550123")})
		if release := requested.Add(2 * time.Minute); res.Code != messages.DialBusy || !res.RetryAt.Equal(release) {
			t.Fatalf("cut dial's phone: %s retry at %v, want busy until its release at %v", res.Code, res.RetryAt, release)
		}
		time.Sleep(time.Until(res.RetryAt))
		if res := r.dial(messages.DialRequest{Kind: messages.DialRedial, Lead: lead("L1", "+15555550123")}); res.Code != messages.DialDialled {
			t.Fatalf("at its release: %s (%s)", res.Code, res.Reason)
		}
		r.close()
	})
}

func TestACompletionForADialCutShortIsThatDialNotAnInboundCall(t *testing.T) {
	dir := t.TempDir()
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, dir, hoursOf(t, everyDay, false))
		r.dialer.hold = make(chan struct{}) // the provider placed the call; we die before its answer
		r.system.Root.Send(r.pid, messages.DialRequest{Kind: messages.DialRedial, Lead: lead("L1", "+15555550123")})
		synctest.Wait()
		r.stopCalls()
		r.dialer.hold = nil
		r.start()
		// The provider reports the call under an id we never learnt, from our caller id.
		r.post(messages.SourceCompletion, completionBody("provider-only-id", "+15555550123", "completed", "voicemail", false))
		cc := r.waitCompleted()
		if cc.Inbound || cc.CallID != "provider-only-id" || cc.LeadID != "L1" || cc.Outcome != messages.OutcomeVoicemail {
			t.Fatalf("completion of the cut dial published as %+v, want our outbound call for lead L1", cc)
		}
		if res := r.dial(messages.DialRequest{Kind: messages.DialRedial, Lead: lead("L1", "+15555550123")}); res.Code != messages.DialDialled {
			t.Fatalf("the phone is still held after its call completed: %s", res.Code)
		}
		r.close()
	})
}

func TestRestartResumesTheJournalWhereItWasWithoutRedialling(t *testing.T) {
	dir := t.TempDir()
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, dir, hoursOf(t, everyDay, false))
		r.post(messages.SourceLead, []byte(leadBody))
		synctest.Wait() // the intake took the lead and the provider was asked
		if got := r.dialer.count(); got != 1 {
			t.Fatalf("provider asked %d times for one lead", got)
		}
		r.stopCalls()
		r.start() // the same journal and store: the lead is already applied
		synctest.Wait()
		if got := r.dialer.count(); got != 1 {
			t.Fatalf("provider asked %d times across a restart, want 1", got)
		}
		r.post(messages.SourceLead, []byte(`{"lead_id":"900124","list_id":"4242","phone_number":"5555550124"}`))
		synctest.Wait()
		if got := r.dialer.count(); got != 2 {
			t.Fatalf("a new lead after the restart: provider asked %d times, want 2", got)
		}
		r.close()
	})
}

// fakeCRMLookup knows one lead per phone.
type fakeCRMLookup struct {
	leads map[messages.Phone]messages.Lead
}

func (f *fakeCRMLookup) Receive(c actor.Context) {
	if m, ok := c.Message().(messages.LookupLead); ok {
		res := messages.LeadLookup{Ref: m.Ref}
		if l, ok := f.leads[m.Phone]; ok {
			res.Leads = []messages.Lead{l}
		}
		c.Respond(res)
	}
}

func TestInboundCallWithoutALeadIsIdentifiedByTheCRM(t *testing.T) {
	r := newRig(t, t.TempDir(), hoursOf(t, everyDay, false))
	defer r.close()
	r.stopCalls()
	r.deps.CRM = r.system.Root.Spawn(actor.PropsFromProducer(func() actor.Actor {
		return &fakeCRMLookup{leads: map[messages.Phone]messages.Lead{"+15555550177": {LeadID: "crm-7", ListID: "99"}}}
	}))
	r.start()
	r.post(messages.SourceCompletion, []byte(`{"call_id":"in-1","to":"+15555550188","from":"+15555550177","status":"completed"}`))
	if cc := r.waitCompleted(); !cc.Inbound || cc.LeadID != "crm-7" || cc.ListID != "99" {
		t.Fatalf("published %+v, want the CRM's lead", cc)
	}
	r.post(messages.SourceCompletion, []byte(`{"call_id":"in-2","to":"+15555550188","from":"+15555550166","status":"completed"}`))
	if cc := r.waitCompleted(); !cc.Inbound || cc.LeadID != "" || cc.Phone != "+15555550166" {
		t.Fatalf("an unknown caller: %+v", cc)
	}
}

func TestIntakeWaitsWhileAConsumerIsBehind(t *testing.T) {
	dir := t.TempDir()
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, dir, hoursOf(t, everyDay, false))
		r.stopCalls()
		var backlog atomic.Int64
		backlog.Store(5000)
		r.deps.Backlog = func() int { return int(backlog.Load()) }
		r.start()
		r.post(messages.SourceLead, []byte(leadBody))
		time.Sleep(time.Second)
		synctest.Wait()
		if n := r.dialer.count(); n != 0 {
			t.Fatalf("dialled %d while the consumers were 5 000 messages behind", n)
		}
		backlog.Store(0)
		time.Sleep(time.Second)
		synctest.Wait()
		if n := r.dialer.count(); n != 1 {
			t.Fatalf("dialled %d once the consumers caught up, want 1", n)
		}
		r.close()
		time.Sleep(48 * time.Hour)
		synctest.Wait()
	})
}

// A completion to a phone whose dial is still waiting for the provider's
// answer is held for that dial; when the dial then fails, it was someone
// else's call, and is published as inbound rather than kept forever.
func TestACompletionHeldForADialThatFailsIsPublishedAsInbound(t *testing.T) {
	const ph = "+15555550123"
	r := newRig(t, t.TempDir(), hoursOf(t, everyDay, false))
	defer r.close()
	hold, called := make(chan struct{}), make(chan struct{}, 1)
	r.dialer.mu.Lock()
	r.dialer.hold, r.dialer.called, r.dialer.fail = hold, called, errors.New("provider refused")
	r.dialer.mu.Unlock()
	answer := r.system.Root.RequestFuture(r.pid, messages.DialRequest{Kind: messages.DialRedial, Lead: lead("L1", ph)}, 10*time.Second)
	select {
	case <-called: // the intent holds the phone; the provider has not answered
	case <-time.After(10 * time.Second):
		t.Fatal("the dial never reached the provider")
	}
	r.post(messages.SourceCompletion, completionBody("someone-else", ph, "completed", "human", false))
	for deadline := time.Now().Add(10 * time.Second); r.memory().early != 1; { // held for the dial
		if time.Now().After(deadline) {
			t.Fatal("the completion was not held for the dial")
		}
	}
	close(hold)
	res, err := answer.Result()
	if err != nil || res.(messages.DialResult).Code != messages.DialFailed {
		t.Fatalf("dial answer %+v, %v; want failed", res, err)
	}
	if cc := r.waitCompleted(); cc.CallID != "someone-else" || !cc.Inbound {
		t.Fatalf("published %+v; want someone-else as inbound", cc)
	}
	if n := r.memory().early; n != 0 {
		t.Errorf("%d completions still held", n)
	}
}

// silentCRM counts the look-ups it is asked for and answers none (a ping
// answers, so a test knows every look-up sent before it was received).
type silentCRM struct{ asked *atomic.Int64 }

type ping struct{}

func (f *silentCRM) Receive(c actor.Context) {
	switch c.Message().(type) {
	case messages.LookupLead:
		f.asked.Add(1)
	case ping:
		c.Respond(ping{})
	}
}

// Two statuses of one inbound call while the CRM is asked about the first:
// the second is not looked up (nor, later, published) a second time.
func TestASecondStatusOfAnInboundCallWaitingForTheCRMIsNotLookedUpAgain(t *testing.T) {
	r := newRig(t, t.TempDir(), hoursOf(t, everyDay, false))
	defer r.close()
	r.stopCalls()
	crm := &silentCRM{asked: &atomic.Int64{}}
	crmPID := r.system.Root.Spawn(actor.PropsFromProducer(func() actor.Actor { return crm }))
	r.deps.CRM = crmPID
	r.start()
	r.post(messages.SourceCompletion, []byte(`{"call_id":"in-1","to":"+15555550188","from":"+15555550177","status":"completed"}`))
	r.post(messages.SourceCompletion, []byte(`{"call_id":"in-1","to":"+15555550188","from":"+15555550177","status":"failed"}`))
	// A completion with a lead id is published at once: once it is, both
	// statuses before it were handled.
	r.post(messages.SourceCompletion, []byte(`{"call_id":"barrier","to":"+15555550188","from":"+15555550166","status":"completed","variables":{"lead_id":"L9"}}`))
	if cc := r.waitCompleted(); cc.CallID != "barrier" {
		t.Fatalf("published %+v before the barrier", cc)
	}
	if _, err := r.system.Root.RequestFuture(crmPID, ping{}, 10*time.Second).Result(); err != nil {
		t.Fatal(err)
	}
	if n := crm.asked.Load(); n != 1 {
		t.Fatalf("the CRM was asked %d times about one inbound call, want 1", n)
	}
}
