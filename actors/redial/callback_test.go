package redial

import (
	"testing"
	"testing/synctest"
	"time"

	"orchestrator/messages"
)

func TestCallbackAt(t *testing.T) {
	for _, tc := range []struct {
		name string
		vars map[string]string
		want time.Time
		ok   bool
	}{
		{"RFC 3339", map[string]string{"callback_time": "2026-03-03T14:30:00-05:00"}, ny(2026, 3, 3, 14, 30), true},
		{"wall clock in the business zone", map[string]string{"callback_at": "2026-03-03 14:30"}, ny(2026, 3, 3, 14, 30), true},
		{"with a T and seconds", map[string]string{"callback_datetime": "2026-03-03T14:30:00"}, ny(2026, 3, 3, 14, 30), true},
		{"first key that parses", map[string]string{"callback_time": "tomorrow", "callback_at": "2026-03-03 09:15"}, ny(2026, 3, 3, 9, 15), true},
		{"none", map[string]string{"callback_requested": "true"}, time.Time{}, false},
		{"unreadable", map[string]string{"callback_time": "after lunch"}, time.Time{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := CallbackAt(tc.vars, newYork)
			if ok != tc.ok || !got.Equal(tc.want) {
				t.Errorf("CallbackAt = %v, %v; want %v, %v", got.In(newYork), ok, tc.want.In(newYork), tc.ok)
			}
		})
	}
}

// A lead that asks to be called back is a scheduled call-back, due when it
// asked (or after the usual gap when it named no time), counted and listed
// under that status, kept so while the gate refuses it, dialled then, and
// pending again once that call completes.
func TestCallbackOutcomeSchedulesACallBack(t *testing.T) {
	b := openBucket(t)
	synctest.Test(t, func(t *testing.T) {
		sleepUntil(monday10)
		busyOnce := map[messages.Phone]bool{phoneA: true}
		g := &gate{script: func(m messages.DialRequest) messages.DialResult {
			if busyOnce[m.Lead.Phone] {
				delete(busyOnce, m.Lead.Phone)
				return messages.DialResult{Code: messages.DialBusy, RetryAt: time.Now().Add(10 * time.Minute)}
			}
			return messages.DialResult{Code: messages.DialDialled}
		}}
		r := start(t, testConfig(), b, g)
		asked := ny(2026, 3, 3, 14, 30)
		callback := func(p messages.Phone, id string, vars map[string]string) messages.CallCompleted {
			return messages.CallCompleted{CallID: id, Phone: p, LeadID: "L" + string(p[len(p)-1:]), Outcome: messages.OutcomeCallback,
				Variables: vars, CompletedAt: time.Now()}
		}
		r.send(callback(phoneA, "a1", map[string]string{"callback_requested": "true", "callback_time": "2026-03-03 14:30"}))
		r.send(callback(phoneB, "b1", map[string]string{"callback_requested": "true"}))
		recA, recB := r.record(t, phoneA), r.record(t, phoneB)
		if recA.Status != messages.RedialScheduledCallback || !recA.NextDue.Equal(asked) {
			t.Fatalf("A: %s due %v, want scheduled_callback at %v", recA.Status, recA.NextDue.In(newYork), asked.In(newYork))
		}
		if gap := monday10.Add(Gap(1, testConfig())); recB.Status != messages.RedialScheduledCallback || !recB.NextDue.Equal(gap) {
			t.Fatalf("B: %s due %v, want scheduled_callback after the gap, %v", recB.Status, recB.NextDue.In(newYork), gap.In(newYork))
		}
		st := r.ask(t, messages.GetRedialStatus{}).(messages.RedialStatus)
		listed := r.ask(t, messages.GetRedialRecords{Status: messages.RedialScheduledCallback}).(messages.RedialRecords)
		if st.Counts[messages.RedialScheduledCallback] != 2 || listed.Total != 2 {
			t.Fatalf("status counts %v, %d listed as scheduled_callback; want 2 and 2", st.Counts, listed.Total)
		}

		sleepUntil(asked) // B was dialled after its gap, A refused busy at its time
		if recA := r.record(t, phoneA); recA.Status != messages.RedialScheduledCallback || !recA.NextDue.Equal(asked.Add(10*time.Minute)) {
			t.Fatalf("A after a busy answer: %s due %v, want still a call-back, at the gate's retry", recA.Status, recA.NextDue.In(newYork))
		}
		sleepUntil(asked.Add(10*time.Minute + time.Minute)) // dialled, and its completion (no answer) came 30 s later
		if d := g.dialsOf(phoneA); len(d) != 2 || !d[0].Equal(asked) || !d[1].Equal(asked.Add(10*time.Minute)) {
			t.Fatalf("A dialled at %v, want at the time asked and at the retry", nyTimes(d))
		}
		if recA := r.record(t, phoneA); recA.Status != messages.RedialPending || recA.LastOutcome != messages.OutcomeNoAnswer {
			t.Fatalf("A after its call-back's call: %s (%s), want pending", recA.Status, recA.LastOutcome)
		}
		if recB := r.record(t, phoneB); recB.Status != messages.RedialPending {
			t.Fatalf("B after its call-back's call: %s, want pending", recB.Status)
		}
		r.stop(t)
	})
}
