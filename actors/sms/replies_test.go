package sms

import (
	"testing"
	"testing/synctest"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"orchestrator/config"
	"orchestrator/messages"
)

func TestRepliesActOnTheirClassification(t *testing.T) {
	st := openStore(t)
	synctest.Test(t, func(t *testing.T) {
		sleepUntil(ny(2026, 3, 2, 10, 0))
		r := start(t, config.Default().SMS, st)
		r.send(voicemail(phoneA, "a1", "NY"))
		r.send(voicemail(phoneB, "b1", "NY"))
		sleepUntil(ny(2026, 3, 2, 12, 0))

		r.reply(phoneA, "Yes please call me")
		sleepUntil(ny(2026, 3, 2, 12, 4))
		if got := received[messages.DialRequest](r.calls); len(got) != 0 {
			t.Fatalf("call-back asked before sms.callback_delay: %+v", got)
		}
		sleepUntil(ny(2026, 3, 2, 12, 6))
		dials := received[messages.DialRequest](r.calls)
		if len(dials) != 1 || dials[0].Kind != messages.DialSMSCallback || dials[0].Lead.Phone != phoneA ||
			dials[0].Lead.LeadID != "L-101" || dials[0].Lead.FirstName != "Jane" {
			t.Errorf("call-backs %+v, want one sms_callback for lead L-101", dials)
		}
		if seq := r.sequence(t, phoneA); seq.Status != messages.SMSActive || seq.LastReply != messages.ReplyCallback {
			t.Errorf("A: %q after %q, want still active after a callback", seq.Status, seq.LastReply)
		}

		r.reply(phoneB, "no thanks")
		if seq := r.sequence(t, phoneB); seq.Status != messages.SMSCancelled {
			t.Errorf("B: %q, want cancelled after a negative reply", seq.Status)
		}

		r.reply(ourNumber, "STOP") // our own text echoed back
		r.reply(phoneA, "Who is this?")
		sleepUntil(ny(2026, 3, 2, 13, 0))
		if r.blocked(t, ourNumber) {
			t.Error("our own number was blocklisted")
		}
		statuses := map[string]string{}
		for _, u := range received[messages.CRMUpdate](r.crm) {
			statuses[u.LeadID] += u.Status + " "
		}
		if statuses["L-101"] != "CB " || statuses["L-102"] != "NI " || len(statuses) != 2 {
			t.Errorf("crm updates by lead %v, want CB for A and NI for B only", statuses)
		}
		if n := testutil.ToFloat64(r.deps.Metrics.replies.WithLabelValues("ignored")); n != 1 {
			t.Errorf("ignored replies %v, want 1", n)
		}
		if got := len(received[messages.DialRequest](r.calls)); got != 1 {
			t.Errorf("%d call-backs, want 1", got)
		}
		finish(t, r)
	})
}

// The CRM refuses twice and the drip restarts meanwhile: the update is
// still made, once the look-up found the lead, and the other steps of the
// opt-out do not wait for it.
func TestOptOutStepsAreRetriedAcrossARestart(t *testing.T) {
	st := openStore(t)
	synctest.Test(t, func(t *testing.T) {
		sleepUntil(ny(2026, 3, 2, 10, 0))
		r := start(t, config.Default().SMS, st)
		r.crm.mu.Lock()
		r.crm.answer = func(msg interface{}, n int) interface{} {
			if _, ok := msg.(messages.CRMUpdate); ok && n <= 2 {
				return messages.Failed{Actor: "root/crm", Reason: "outbox full"}
			}
			return crmAnswers(msg, n)
		}
		r.crm.mu.Unlock()
		r.reply(phoneB, "Take me off your list") // a phone we never texted, with no lead id
		if !r.blocked(t, phoneB) {
			t.Error("the phone is not on the blocklist while the CRM fails")
		}
		if got := received[messages.CompleteRedial](r.redial); len(got) != 1 {
			t.Errorf("redial asked %d times while the CRM fails, want 1", len(got))
		}
		r.restart(t)
		sleepUntil(ny(2026, 3, 2, 10, 5))
		ups := received[messages.CRMUpdate](r.crm)
		if len(ups) != 3 || ups[2].LeadID != "L-looked-up" || ups[2].Status != "DNC" || ups[2].Key != "dnc:"+string(phoneB) {
			t.Errorf("crm updates %+v, want the DNC update retried until accepted", ups)
		}
		if got := len(received[messages.LookupLead](r.crm)); got != 1 {
			t.Errorf("%d look-ups, want 1 (the lead id is kept)", got)
		}
		if seq := r.sequence(t, phoneB); seq.Status != messages.SMSOptedOut {
			t.Errorf("B: %q, want OPTED_OUT even without a drip", seq.Status)
		}
		if st := r.ask(t, messages.GetSMSStatus{}).(messages.SMSStatus); st.PendingActions != 0 {
			t.Errorf("%d actions pending", st.PendingActions)
		}
		r.send(voicemail(phoneB, "b1", "NY")) // an opted-out phone never starts a drip
		sleepUntil(ny(2026, 3, 3, 12, 0))
		if got := r.sender.to(phoneB); len(got) != 0 {
			t.Errorf("texted an opted-out phone %d times", len(got))
		}
		finish(t, r)
	})
}

func TestAdminAndResend(t *testing.T) {
	st := openStore(t)
	synctest.Test(t, func(t *testing.T) {
		sleepUntil(ny(2026, 3, 2, 10, 0))
		r := start(t, config.Default().SMS, st)
		a, b := voicemail(phoneA, "a1", "NY"), voicemail(phoneB, "b1", "NY")
		a.Seq, b.Seq = 41, 42
		r.send(a)
		r.send(b)
		got := r.ask(t, messages.CancelSMS{Phone: phoneA}).(messages.SMSChanged)
		if !got.Found || got.Sequence.Status != messages.SMSCancelled || got.Sequence.Reason != "operator" {
			t.Errorf("cancel = %+v", got)
		}
		if got := r.ask(t, messages.CancelSMS{Phone: "+15555550999"}).(messages.SMSChanged); got.Found {
			t.Errorf("cancel of an unknown phone = %+v", got)
		}
		s := r.ask(t, messages.GetSMSStatus{}).(messages.SMSStatus)
		if !s.Enabled || s.Counts[messages.SMSActive] != 1 || s.Counts[messages.SMSCancelled] != 1 || s.SentToday != 2 ||
			!s.NextDue.Equal(ny(2026, 3, 3, 8, 0)) {
			t.Errorf("status %+v", s)
		}
		page := r.ask(t, messages.GetSMSSequences{Status: messages.SMSActive}).(messages.SMSSequences)
		if page.Total != 1 || page.Sequences[0].Phone != phoneB {
			t.Errorf("active sequences %+v", page)
		}
		r.restart(t)
		resends := received[messages.ResendCompletions](r.calls)
		if len(resends) != 2 || resends[0].After != 0 || resends[1].After != 42 {
			t.Errorf("resends %+v, want after 0 then after 42", resends)
		}
		finish(t, r)
	})
}
