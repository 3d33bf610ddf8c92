package calls

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"orchestrator/actors/store"
	"orchestrator/messages"
)

// memory asks the actor what it holds in memory.
func (r *rig) memory() memory {
	r.t.Helper()
	res, err := r.system.Root.RequestFuture(r.pid, getMemory{}, 10*time.Second).Result()
	if err != nil {
		r.t.Fatalf("memory: %v", err)
	}
	return res.(memory)
}

// keys counts the stored keys of the calls bucket by prefix.
func (r *rig) keys() map[string]int {
	r.t.Helper()
	out := map[string]int{}
	err := r.store.Bucket("calls").Load(func(k, _ []byte) error {
		out[strings.SplitAfter(string(k), "/")[0]]++
		return nil
	})
	if err != nil {
		r.t.Fatal(err)
	}
	return out
}

// marked posts an inbound completion after what was posted before and waits
// for it: every earlier record has been applied once it is published. Any
// other publication on the way fails the test.
func (r *rig) marked(t *testing.T, id string) {
	t.Helper()
	r.post(messages.SourceCompletion, []byte(`{"call_id":"`+id+`","to":"+15555550188","from":"+15555550177","status":"completed"}`))
	if cc := r.waitCompleted(); cc.CallID != id {
		t.Fatalf("published %+v before the marker %s", cc, id)
	}
}

func (r *rig) getCall(callID string) messages.CallLookup {
	r.t.Helper()
	res, err := r.system.Root.RequestFuture(r.pid, messages.GetCall{CallID: callID}, 10*time.Second).Result()
	if err != nil {
		r.t.Fatal(err)
	}
	return res.(messages.CallLookup)
}

func TestAnEndedCallLeavesMemoryAndASecondStatusOfItIsNotPublished(t *testing.T) {
	r := newRig(t, t.TempDir(), hoursOf(t, everyDay, false))
	defer r.close()
	d := r.dial(messages.DialRequest{Kind: messages.DialRedial, Lead: lead("L1", "+15555550123")})
	if m := r.memory(); m != (memory{holds: 1, leads: 1}) {
		t.Fatalf("a call in flight: memory %+v, want its phone's hold and its lead's dial only", m)
	}
	if got := r.getCall(d.CallID); !got.Found || got.Call.State != stateInFlight {
		t.Fatalf("the call in flight reads %+v", got)
	}
	r.post(messages.SourceCompletion, completionBody(d.CallID, "+15555550123", "no-answer", "no-answer", false))
	if cc := r.waitCompleted(); cc.CallID != d.CallID {
		t.Fatalf("published %+v", cc)
	}
	if m := r.memory(); m != (memory{leads: 1}) {
		t.Fatalf("after the completion: memory %+v, want the lead's dial only", m)
	}
	r.post(messages.SourceCompletion, completionBody(d.CallID, "+15555550123", "completed", "voicemail", false))
	r.marked(t, "in-1")

	r.stopCalls()
	r.start()
	r.post(messages.SourceCompletion, completionBody(d.CallID, "+15555550123", "completed", "human", true))
	r.marked(t, "in-2")
	got := r.getCall(d.CallID)
	if !got.Found || got.Call.State != stateDone || got.Call.Outcome != messages.OutcomeNoAnswer || got.Call.LeadID != "L1" {
		t.Fatalf("after a restart the call reads %+v, want completed with its first outcome", got)
	}
	if m := r.memory(); m != (memory{leads: 1}) {
		t.Fatalf("after a restart: memory %+v, want the lead's dial only", m)
	}
}

// A call in flight has no call-id key until it ends: after a restart its
// completion is still matched, through the phone it holds.
func TestACallInFlightAcrossARestartIsCompletedAsOurs(t *testing.T) {
	r := newRig(t, t.TempDir(), hoursOf(t, everyDay, false))
	defer r.close()
	d := r.dial(messages.DialRequest{Kind: messages.DialRedial, Lead: lead("L1", "+15555550123")})
	r.stopCalls()
	r.start()
	r.post(messages.SourceCompletion, completionBody(d.CallID, "+15555550123", "completed", "voicemail", false))
	if cc := r.waitCompleted(); cc.CallID != d.CallID || cc.Inbound || cc.LeadID != "L1" {
		t.Fatalf("published %+v, want our call to L1", cc)
	}
	if res := r.dial(messages.DialRequest{Kind: messages.DialRedial, Lead: lead("L1", "+15555550123")}); res.Code != messages.DialDialled {
		t.Fatalf("the phone after its call completed: %s", res.Code)
	}
}

func TestTheDailyCapHoldsForAPhoneKnownOnlyFromTheStateFile(t *testing.T) {
	const ph = "+15555550123"
	r := newRig(t, t.TempDir(), hoursOf(t, everyDay, false))
	defer r.close()
	for range 3 { // the rig's cap
		d := r.dial(messages.DialRequest{Kind: messages.DialRedial, Lead: lead("L1", ph)})
		r.post(messages.SourceCompletion, completionBody(d.CallID, ph, "no-answer", "no-answer", false))
		r.waitCompleted()
	}
	if m := r.memory(); m != (memory{leads: 1}) {
		t.Fatalf("memory %+v, want no phone", m)
	}
	if res := r.dial(messages.DialRequest{Kind: messages.DialRedial, Lead: lead("L1", ph)}); res.Code != messages.DialDailyCap {
		t.Fatalf("a fourth dial today: %s (%s), want daily_cap", res.Code, res.Reason)
	}
	r.stopCalls()
	r.start()
	if res := r.dial(messages.DialRequest{Kind: messages.DialRedial, Lead: lead("L1", ph)}); res.Code != messages.DialDailyCap {
		t.Fatalf("a fourth dial after a restart: %s (%s), want daily_cap", res.Code, res.Reason)
	}
}

func TestTheDuplicateWindowSurvivesARestart(t *testing.T) {
	r := newRig(t, t.TempDir(), hoursOf(t, everyDay, false))
	defer r.close()
	d := r.dial(messages.DialRequest{Kind: messages.DialNewLead, Lead: lead("L1", "+15555550123")})
	r.post(messages.SourceCompletion, completionBody(d.CallID, "+15555550123", "no-answer", "no-answer", false))
	r.waitCompleted()
	r.stopCalls()
	r.start()
	if res := r.dial(messages.DialRequest{Kind: messages.DialNewLead, Lead: lead("L1", "+15555550124")}); res.Code != messages.DialDuplicate {
		t.Fatalf("the lead pushed again after a restart: %s, want duplicate", res.Code)
	}
}

func TestAResendFindsCompletionsOfCallsNoLongerInMemory(t *testing.T) {
	r := newRig(t, t.TempDir(), hoursOf(t, everyDay, false))
	defer r.close()
	published := r.completeCalls(t, 3)
	if m := r.memory(); m != (memory{leads: 3}) {
		t.Fatalf("memory %+v, want no call and no phone", m)
	}
	if got, done := r.resend(t, 0); !reflect.DeepEqual(got, published) || done.Through != 4 {
		t.Fatalf("resent %v then %+v, want %v", seqsOf(got), done, seqsOf(published))
	}
	if got, _ := r.resend(t, 2); !reflect.DeepEqual(got, published[2:]) {
		t.Fatalf("after 2: resent %v", seqsOf(got))
	}
}

func TestInboundCallsAreStoredNotKept(t *testing.T) {
	r := newRig(t, t.TempDir(), hoursOf(t, everyDay, false))
	defer r.close()
	for i := range 100 {
		r.marked(t, fmt.Sprint("in-", i))
	}
	if m := r.memory(); m != (memory{}) {
		t.Fatalf("after 100 inbound calls: memory %+v, want nothing", m)
	}
	r.post(messages.SourceCompletion, []byte(`{"call_id":"in-7","to":"+15555550188","from":"+15555550177","status":"busy"}`))
	r.marked(t, "in-last") // in-7 again: not published twice
	if k := r.keys(); k["call/"] != 101 || k["cid/"] != 101 || k["pub/"] != 101 {
		t.Fatalf("stored %v, want 101 calls with their call-id and publication keys", k)
	}
}

// storeEnded writes n calls that ended at `ended`, with their index keys, as
// the actor stores them.
func storeEnded(t *testing.T, b *store.Bucket, n int, ended time.Time) {
	t.Helper()
	var (
		changes []store.Change
		dials   []leadDial
	)
	for i := range n {
		cl := &call{Intent: fmt.Sprint("i", 1000+i), CallID: fmt.Sprint("old-", i), Kind: messages.DialRedial,
			Lead: leadRef{LeadID: fmt.Sprint("O", i), ListID: "1"}, Phone: messages.Phone(fmt.Sprintf("+1555666%04d", i)),
			State: stateDone, RequestedAt: stampOf(ended.Add(-time.Minute)), EndedAt: stampOf(ended),
			Outcome: messages.OutcomeVoicemail, CompletedSeq: uint64(10000 + i), PublishedSeq: uint64(10000 + i)}
		changes = append(changes, store.Change{Key: callPrefix + cl.Intent, Value: cl.encode()})
		changes = append(changes, indexesOf(cl)...)
		dials = append(dials, leadDial{lead: cl.Lead.LeadID, at: cl.RequestedAt})
	}
	changes = append(changes, dialLogChange(dials, 999)...)
	if err := b.Commit(0, changes...); err != nil {
		t.Fatal(err)
	}
}

func TestThePruneRemovesCallsAWeekAfterTheyEndedWithTheirIndexKeys(t *testing.T) {
	dir := t.TempDir()
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, dir, hoursOf(t, everyDay, false))
		defer r.close()
		storeEnded(t, r.store.Bucket("calls"), 2*pruneChunk+10, time.Now().Add(-6*24*time.Hour)) // a week old in a day
		d := r.dial(messages.DialRequest{Kind: messages.DialNewLead, Lead: lead("L1", "+15555550123")})
		r.post(messages.SourceCompletion, completionBody(d.CallID, "+15555550123", "no-answer", "no-answer", false))
		r.waitCompleted()
		want := map[string]int{"call/": 2*pruneChunk + 11, "cid/": 2*pruneChunk + 11, "pub/": 2*pruneChunk + 11,
			"dialled/": 2, "phone/": 1, "meta/": 2}
		if got := r.keys(); !reflect.DeepEqual(got, want) {
			t.Fatalf("stored %v, want %v", got, want)
		}

		time.Sleep(24*time.Hour + time.Minute) // the first prune
		synctest.Wait()
		// The old calls are gone; today's call stays, its lead's dial past
		// the duplicate window and its phone, with no attempt today, go.
		want = map[string]int{"call/": 1, "cid/": 1, "pub/": 1, "meta/": 2}
		if got := r.keys(); !reflect.DeepEqual(got, want) {
			t.Fatalf("after the first prune: stored %v, want %v", got, want)
		}
		if got := r.getCall("old-7"); got.Found {
			t.Fatalf("a pruned call is still found: %+v", got)
		}
		if got := r.getCall(d.CallID); !got.Found {
			t.Fatal("a call of yesterday was pruned")
		}

		time.Sleep(7 * 24 * time.Hour)
		synctest.Wait()
		if got := r.keys(); !reflect.DeepEqual(got, map[string]int{"meta/": 2}) {
			t.Fatalf("a week later: stored %v, want only the meta keys", got)
		}
	})
}

// A state file written before ended calls moved out of memory holds calls
// and phones only (and the first version's lead keys): the first start
// indexes them, so they are found as before.
func TestAStateFileOfTheFirstLayoutIsUpgradedAtStart(t *testing.T) {
	dir := t.TempDir()
	s, err := store.Open(dir + "/state.db")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	done := &call{Intent: "i5", CallID: "c5", Kind: messages.DialRedial, Lead: leadRef{LeadID: "L5", ListID: "1"},
		Phone: "+15555550105", State: stateDone, RequestedAt: stampOf(now.Add(-time.Hour)), EndedAt: stampOf(now.Add(-time.Hour)),
		Outcome: messages.OutcomeVoicemail, CompletedSeq: 1, PublishedSeq: 1}
	flying := &call{Intent: "i9", CallID: "c9", Kind: messages.DialNewLead, Lead: leadRef{LeadID: "L9", ListID: "1"},
		Phone: "+15555550109", From: "+15555550188", State: stateInFlight, RequestedAt: stampOf(now.Add(-time.Minute)),
		DialledAt: stampOf(now.Add(-time.Minute))}
	held := &phone{InFlight: "i9"}
	held.count(hoursOf(t, everyDay, false).Hours().Day(now))
	firstAt, _ := json.Marshal(now)
	if err := s.Bucket("calls").Commit(1,
		store.Change{Key: "call/i5", Value: done.encode()},
		store.Change{Key: "call/i9", Value: flying.encode()},
		store.Change{Key: "phone/+15555550109", Value: held.encode()},
		store.Change{Key: "lead/L9", Value: firstAt}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	r := newRig(t, dir, hoursOf(t, everyDay, false))
	defer r.close()
	// The journal's record 1 (applied) completed c5.
	r.system.Root.Send(r.jpid, messages.WebhookRecord{Source: messages.SourceCompletion, Result: messages.ResultValidationFailed})
	if got := r.getCall("c5"); !got.Found || got.Call.Outcome != messages.OutcomeVoicemail {
		t.Fatalf("an ended call of the first layout: %+v", got)
	}
	if res := r.dial(messages.DialRequest{Kind: messages.DialRedial, Lead: lead("L9", "+15555550109")}); res.Code != messages.DialBusy {
		t.Fatalf("the phone of a call in flight: %s, want busy", res.Code)
	}
	if res := r.dial(messages.DialRequest{Kind: messages.DialNewLead, Lead: lead("L9", "+15555550199")}); res.Code != messages.DialDuplicate {
		t.Fatalf("the lead of a call a minute ago: %s, want duplicate", res.Code)
	}
	d := r.dial(messages.DialRequest{Kind: messages.DialRedial, Lead: lead("L1", "+15555550101")})
	if got := r.getCall(d.CallID); intentNumber(got.Call.Intent) <= 9 {
		t.Fatalf("a new call's intent %q, want one past the stored i9", got.Call.Intent)
	}
	r.post(messages.SourceCompletion, completionBody("c9", "+15555550109", "completed", "voicemail", false))
	if cc := r.waitCompleted(); cc.CallID != "c9" || cc.LeadID != "L9" || cc.Inbound {
		t.Fatalf("the completion of the call in flight: %+v", cc)
	}
	if k := r.keys(); k["lead/"] != 0 || k["cid/"] != 2 || k["pub/"] != 2 {
		t.Fatalf("stored %v, want the lead keys gone and the ended calls indexed", k)
	}
}
