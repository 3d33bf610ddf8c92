package sms

import (
	"fmt"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"orchestrator/actors/bland"
	"orchestrator/config"
	"orchestrator/messages"
)

// finish stops everything, advances a day and checks nothing was left
// behind: no dead letters, no timer running.
func finish(t *testing.T, r *rig) {
	t.Helper()
	timers := r.stop(t)
	time.Sleep(24 * time.Hour)
	synctest.Wait()
	if n := r.dead.Load(); n != 0 {
		t.Errorf("%d dead letters", n)
	}
	if n := timers.Active(); n != 0 {
		t.Errorf("%d timers still active", n)
	}
}

func TestVoicemailLeadGetsFourTextsOnTheirDays(t *testing.T) {
	for _, tc := range []struct {
		name   string
		anchor time.Time
		state  string
		want   []string // Eastern
	}{
		{"monday morning", ny(2026, 3, 2, 10, 0), "NY",
			[]string{"Mon 03-02 10:00", "Tue 03-03 08:00", "Thu 03-05 08:00", "Mon 03-09 08:00"}},
		{"friday evening: the weekend and a full monday are skipped", ny(2026, 3, 6, 20, 30), "NY",
			[]string{"Fri 03-06 20:30", "Mon 03-09 08:00", "Tue 03-10 08:00", "Fri 03-13 08:00"}},
		{"CA lead at 06:00 Pacific waits for 08:00 Pacific", ny(2026, 3, 2, 9, 0), "CA",
			[]string{"Mon 03-02 11:00", "Tue 03-03 11:00", "Thu 03-05 11:00", "Mon 03-09 11:00"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := openStore(t)
			synctest.Test(t, func(t *testing.T) {
				sleepUntil(tc.anchor)
				r := start(t, config.Default().SMS, st)
				r.send(voicemail(phoneA, "c1", tc.state))
				sleepUntil(tc.anchor.Add(10 * 24 * time.Hour))
				r.send(voicemail(phoneA, "c1", tc.state)) // the same completion again
				r.send(voicemail(phoneA, "c2", tc.state)) // a later voicemail keeps the anchor
				sleepUntil(tc.anchor.Add(20 * 24 * time.Hour))

				got := r.sender.to(phoneA)
				if diff := cmp.Diff(tc.want, nyTimes(got)); diff != "" {
					t.Errorf("texts (-want +got):\n%s", diff)
				}
				zone := ZoneOf(tc.state, newYork)
				days := map[string]int{}
				for i, tx := range got {
					if days[tx.at.In(zone.Primary).Format(time.DateOnly)]++; days[tx.at.In(zone.Primary).Format(time.DateOnly)] > 1 {
						t.Errorf("text %d: a second text on %s", i, tx.at.In(zone.Primary))
					}
					if !Allowed(tx.at, zone, config.Default().SMS) {
						t.Errorf("text %d at %v: outside the lead's hours", i, tx.at.In(zone.Primary))
					}
					if want := Fill(config.Default().SMS.Templates[i], "Jane", "Doe"); tx.body != want || tx.from != ourNumber {
						t.Errorf("text %d = %q from %s, want %q from %s", i, tx.body, tx.from, want, ourNumber)
					}
				}
				if !strings.HasPrefix(got[0].body, "Hi Jane, ") {
					t.Errorf("first text %q is not templated", got[0].body)
				}
				seq := r.sequence(t, phoneA)
				if seq.Status != messages.SMSCompleted || seq.Next != 4 || len(seq.Messages) != 4 || seq.Messages[3].MessageID == "" {
					t.Errorf("sequence %+v; want completed with 4 texts and their ids", seq)
				}
				if n := testutil.ToFloat64(r.deps.Metrics.texts.WithLabelValues(resultSent)); n != 4 {
					t.Errorf("sent metric %v, want 4", n)
				}
				finish(t, r)
			})
		})
	}
}

func TestStopAfterTheSecondTextEndsEverything(t *testing.T) {
	st := openStore(t)
	synctest.Test(t, func(t *testing.T) {
		sleepUntil(ny(2026, 3, 2, 10, 0))
		r := start(t, config.Default().SMS, st)
		r.send(voicemail(phoneA, "c1", "NY"))
		sleepUntil(ny(2026, 3, 3, 12, 0))
		if n := len(r.sender.to(phoneA)); n != 2 {
			t.Fatalf("%d texts before the reply, want 2", n)
		}
		r.reply(phoneA, "STOP!!")
		sleepUntil(ny(2026, 3, 20, 12, 0))

		if got := nyTimes(r.sender.to(phoneA)); len(got) != 2 {
			t.Errorf("texts after STOP: %v", got)
		}
		if !r.blocked(t, phoneA) {
			t.Error("the phone is not on the blocklist")
		}
		if got := received[messages.CompleteRedial](r.redial); len(got) != 1 || got[0].Phone != phoneA {
			t.Errorf("redial asked %+v, want one CompleteRedial for the phone", got)
		}
		ups := received[messages.CRMUpdate](r.crm)
		if len(ups) != 1 || ups[0].Key != "dnc:"+string(phoneA) || ups[0].Status != "DNC" || ups[0].LeadID != "L-101" {
			t.Errorf("crm updates %+v, want one DNC for lead L-101", ups)
		}
		seq := r.sequence(t, phoneA)
		if seq.Status != messages.SMSOptedOut || seq.LastReply != messages.ReplyOptOut {
			t.Errorf("sequence status %q last reply %q, want OPTED_OUT after opt_out", seq.Status, seq.LastReply)
		}
		if st := r.ask(t, messages.GetSMSStatus{}).(messages.SMSStatus); st.PendingActions != 0 {
			t.Errorf("%d reply actions still pending", st.PendingActions)
		}
		finish(t, r)
	})
}

func TestTransferAfterTheFirstTextCancels(t *testing.T) {
	st := openStore(t)
	synctest.Test(t, func(t *testing.T) {
		sleepUntil(ny(2026, 3, 2, 10, 0))
		r := start(t, config.Default().SMS, st)
		r.send(voicemail(phoneA, "c1", "NY"))
		sleepUntil(ny(2026, 3, 2, 15, 0))
		r.send(messages.CallCompleted{Seq: 2, CallID: "c2", Phone: phoneA, Outcome: messages.OutcomeTransferred, CompletedAt: time.Now()})
		sleepUntil(ny(2026, 3, 20, 12, 0))
		if got := nyTimes(r.sender.to(phoneA)); len(got) != 1 {
			t.Errorf("texts %v, want only the first", got)
		}
		if seq := r.sequence(t, phoneA); seq.Status != messages.SMSCancelled || seq.Reason != "outcome TRANSFERRED" {
			t.Errorf("sequence %q %q, want cancelled by the transfer", seq.Status, seq.Reason)
		}
		finish(t, r)
	})
}

func TestBlocklistedPhoneIsNeverTexted(t *testing.T) {
	st := openStore(t)
	synctest.Test(t, func(t *testing.T) {
		sleepUntil(ny(2026, 3, 2, 10, 0))
		r := start(t, config.Default().SMS, st)
		if _, err := r.system.Root.RequestFuture(r.blocklist, messages.AddBlock{Field: messages.BlockPhone,
			Value: string(phoneB), Reason: "admin", AddedBy: "test"}, time.Second).Result(); err != nil {
			t.Fatal(err)
		}
		r.send(voicemail(phoneB, "c1", "NY"))
		sleepUntil(ny(2026, 3, 20, 12, 0))
		if got := r.sender.to(phoneB); len(got) != 0 {
			t.Errorf("texted a blocklisted phone: %v", nyTimes(got))
		}
		if seq := r.sequence(t, phoneB); seq.Status != messages.SMSCancelled || seq.Reason != "blocklisted" {
			t.Errorf("sequence %q %q, want cancelled as blocklisted", seq.Status, seq.Reason)
		}
		if n := testutil.ToFloat64(r.deps.Metrics.texts.WithLabelValues(resultSkippedBlocked)); n != 1 {
			t.Errorf("skipped_blocked %v, want 1", n)
		}
		finish(t, r)
	})
}

func TestRestartWhileTheProviderIsAskedDoesNotTextTwice(t *testing.T) {
	st := openStore(t)
	synctest.Test(t, func(t *testing.T) {
		sleepUntil(ny(2026, 3, 2, 10, 0))
		r := start(t, config.Default().SMS, st)
		r.sender.mu.Lock()
		r.sender.hold = make(chan struct{})
		r.sender.mu.Unlock()
		r.send(voicemail(phoneA, "c1", "NY"))
		for range 3 { // repeated ticks while the provider has not answered
			r.send(sweepTick{})
			r.send(dueTick{})
			r.send(voicemail(phoneA, "c1", "NY"))
		}
		if n := len(r.sender.to(phoneA)); n != 1 {
			t.Fatalf("%d texts reached the provider, want 1", n)
		}
		r.sender.mu.Lock()
		r.sender.hold = nil // the next incarnation's texts are answered at once
		r.sender.mu.Unlock()
		r.restart(t) // cancels the request in flight: the history tells it went
		r.send(voicemail(phoneA, "c1", "NY"))
		sleepUntil(ny(2026, 3, 20, 12, 0))
		want := []string{"Mon 03-02 10:00", "Tue 03-03 08:00", "Thu 03-05 08:00", "Mon 03-09 08:00"}
		if diff := cmp.Diff(want, nyTimes(r.sender.to(phoneA))); diff != "" {
			t.Errorf("texts (-want +got):\n%s", diff)
		}
		if got := r.sequence(t, phoneA).Messages[0].State; got != messages.SMSSent {
			t.Errorf("first text %q, want sent (found in the provider's history)", got)
		}
		if n := testutil.ToFloat64(r.deps.Metrics.texts.WithLabelValues(resultReconciledSent)); n != 1 {
			t.Errorf("reconciled_sent metric %v, want 1", n)
		}
		finish(t, r)
	})
}

func TestProviderFailures(t *testing.T) {
	st := openStore(t)
	synctest.Test(t, func(t *testing.T) {
		sleepUntil(ny(2026, 3, 2, 10, 0))
		r := start(t, config.Default().SMS, st)
		r.sender.mu.Lock()
		r.sender.fail = func(n int) error {
			switch n {
			case 1: // A's first try: refused, nothing sent
				return &bland.Error{Status: 400, Err: bland.ErrUnexpectedAnswer}
			case 3: // B's first: a 502 after the provider kept the text
				return &bland.Error{Status: 502}
			case 4: // C's first: a 502 before it kept it
				return &bland.Error{Status: 502}
			}
			return nil
		}
		r.sender.lose = func(n int) bool { return n == 4 }
		r.sender.mu.Unlock()
		r.send(voicemail(phoneA, "a1", "NY"))
		sleepUntil(ny(2026, 3, 2, 10, 30))
		r.send(voicemail(phoneB, "b1", "NY"))
		sleepUntil(ny(2026, 3, 2, 10, 40))
		r.send(voicemail(phoneC, "c1", "NY"))
		sleepUntil(ny(2026, 3, 2, 12, 0))
		if got := nyTimes(r.sender.to(phoneA)); !cmp.Equal(got, []string{"Mon 03-02 10:00", "Mon 03-02 10:01"}) {
			t.Errorf("A's texts %v: want the refused one retried after sms.retry_interval", got)
		}
		// An unsure failure is settled by the provider's history on the next
		// retry tick: found, not sent again; absent, sent again once.
		if got := nyTimes(r.sender.to(phoneB)); !cmp.Equal(got, []string{"Mon 03-02 10:30"}) {
			t.Errorf("B's texts %v: want the one the provider kept not sent again", got)
		}
		if got := nyTimes(r.sender.to(phoneC)); !cmp.Equal(got, []string{"Mon 03-02 10:40", "Mon 03-02 10:41"}) {
			t.Errorf("C's texts %v: want the one the provider lost sent again after the lookup", got)
		}
		for _, p := range []messages.Phone{phoneA, phoneB, phoneC} {
			if seq := r.sequence(t, p); seq.Next != 1 || len(seq.Messages) != 1 || seq.Messages[0].State != messages.SMSSent {
				t.Errorf("%s: %+v; want one text, sent", p, seq)
			}
		}
		for result, want := range map[string]float64{resultFailed: 1, resultUncertain: 2, resultReconciledSent: 1, resultReconciledAbsent: 1, resultSent: 2} {
			if n := testutil.ToFloat64(r.deps.Metrics.texts.WithLabelValues(result)); n != want {
				t.Errorf("%s metric %v, want %v", result, n, want)
			}
		}
		finish(t, r)
	})
}

// Fifty leads due at the same opening are all texted, never more than
// maxFlights at once.
func TestManyDueAtOnceAreTextedAFewAtATime(t *testing.T) {
	st := openStore(t)
	synctest.Test(t, func(t *testing.T) {
		sleepUntil(ny(2026, 3, 1, 12, 0)) // a Sunday: nothing goes before Monday 08:00
		r := start(t, config.Default().SMS, st)
		r.sender.mu.Lock()
		r.sender.delay = time.Second
		r.sender.mu.Unlock()
		for i := range 50 {
			p := messages.Phone(fmt.Sprintf("+1555555%04d", 2000+i))
			r.send(voicemail(p, "c"+string(p), "NY"))
		}
		sleepUntil(ny(2026, 3, 2, 8, 10))
		r.sender.mu.Lock()
		n, peak := len(r.sender.texts), r.sender.peak
		r.sender.mu.Unlock()
		if n != 50 || peak > maxFlights {
			t.Errorf("%d texts, at most %d at once; want 50, at most %d", n, peak, maxFlights)
		}
		finish(t, r)
	})
}

func TestACallOlderThanTheWholeDripStartsNoSequence(t *testing.T) {
	st := openStore(t)
	synctest.Test(t, func(t *testing.T) {
		sleepUntil(ny(2026, 3, 20, 10, 0))
		r := start(t, config.Default().SMS, st)
		old := voicemail(phoneA, "c-old", "NY")
		old.CompletedAt = ny(2026, 3, 2, 10, 0) // resent 18 days later: the drip would be over
		r.send(old)
		recent := voicemail(phoneB, "c-new", "NY")
		recent.CompletedAt = ny(2026, 3, 19, 16, 0)
		r.send(recent)
		sleepUntil(ny(2026, 3, 21, 12, 0))
		if got := r.sender.to(phoneA); len(got) != 0 {
			t.Errorf("texted about a call 18 days old: %v", nyTimes(got))
		}
		if got := r.sender.to(phoneB); len(got) == 0 {
			t.Error("a call from yesterday got no text")
		}
		finish(t, r)
	})
}
