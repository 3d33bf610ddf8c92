package redial

import (
	"testing"
	"testing/synctest"
	"time"

	"orchestrator/messages"
)

// An SMS opt-out completes the phone's record: it is never dialled again, a
// second request keeps the first reason, and a phone without a record is
// answered Found false.
func TestCompleteRedialEndsTheCadence(t *testing.T) {
	b := openBucket(t)
	synctest.Test(t, func(t *testing.T) {
		sleepUntil(monday10)
		g := &gate{}
		r := start(t, testConfig(), b, g)
		r.lead(phoneA, "LA")
		got := r.ask(t, messages.CompleteRedial{Phone: phoneA, Reason: "sms opt-out"}).(messages.RedialChanged)
		if !got.Found || got.Record.Status != messages.RedialDone || got.Record.Reason != "sms opt-out" {
			t.Errorf("CompleteRedial = %+v", got)
		}
		again := r.ask(t, messages.CompleteRedial{Phone: phoneA, Reason: "other"}).(messages.RedialChanged)
		if again.Record.Reason != "sms opt-out" {
			t.Errorf("second CompleteRedial changed the reason to %q", again.Record.Reason)
		}
		if none := r.ask(t, messages.CompleteRedial{Phone: phoneB}).(messages.RedialChanged); none.Found {
			t.Errorf("CompleteRedial of an unknown phone = %+v", none)
		}
		r.restart(t)
		sleepUntil(monday10.Add(3 * 24 * time.Hour))
		if d := g.dialsOf(phoneA); len(d) != 0 {
			t.Errorf("dialled %d times after the opt-out", len(d))
		}
		if rec := r.record(t, phoneA); rec.Status != messages.RedialDone {
			t.Errorf("after a restart: %q", rec.Status)
		}
		r.stop(t)
	})
}
