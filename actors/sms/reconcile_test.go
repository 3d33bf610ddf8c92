package sms

import (
	"encoding/json"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"orchestrator/actors/bland"
	"orchestrator/actors/store"
	"orchestrator/config"
	"orchestrator/messages"
	"orchestrator/supervision"
)

// leaveIntent stores what a kill -9 right after the intent's commit leaves:
// phoneA's first text recorded as being sent at at, with the words stored
// beside it when words is not empty (an intent from before they were
// stored has none).
func leaveIntent(t *testing.T, st *store.Store, at time.Time, words string) {
	t.Helper()
	seq := messages.SMSSequence{Phone: phoneA, Lead: messages.SMSLead{LeadID: "L-101", FirstName: "Jane", State: "NY"},
		Anchor: at, Status: messages.SMSActive, CreatedAt: at, UpdatedAt: at,
		Messages: []messages.SMSMessage{{Position: 0, State: messages.SMSSending, At: at}}}
	raw, _ := json.Marshal(seq)
	changes := []store.Change{{Key: seqPrefix + string(phoneA), Value: raw}}
	if words != "" {
		changes = append(changes, intentChange(phoneA, 0, words))
	}
	if err := st.Bucket(supervision.SMS).Commit(0, changes...); err != nil {
		t.Fatal(err)
	}
}

// stored is phoneA's first text and its intent's words as the store has them.
func stored(t *testing.T, st *store.Store) (state string, intent bool) {
	t.Helper()
	b := st.Bucket(supervision.SMS)
	raw, err := b.Get(seqPrefix + string(phoneA))
	if err != nil {
		t.Fatal(err)
	}
	var seq messages.SMSSequence
	if err := json.Unmarshal(raw, &seq); err != nil || len(seq.Messages) == 0 {
		t.Fatalf("stored sequence %s: %v", raw, err)
	}
	words, err := b.Get(intentPrefix + string(phoneA))
	if err != nil {
		t.Fatal(err)
	}
	return seq.Messages[0].State, words != nil
}

func (r *rig) count(result string) float64 {
	return testutil.ToFloat64(r.deps.Metrics.texts.WithLabelValues(result))
}

var first = Fill(config.Default().SMS.Templates[0], "Jane", "")

// Nothing reached the provider before the kill: after one retry interval
// the history says so, and the text goes once, then the rest of the drip.
func TestACutTextAbsentFromTheHistoryIsSentOnce(t *testing.T) {
	st := openStore(t)
	synctest.Test(t, func(t *testing.T) {
		anchor := ny(2026, 3, 2, 10, 0)
		leaveIntent(t, st, anchor, "") // from before the words were stored: its template gives them
		sleepUntil(anchor.Add(5 * time.Minute))
		r := start(t, config.Default().SMS, st)

		sleepUntil(ny(2026, 3, 2, 10, 5).Add(30 * time.Second))
		if n := len(r.sender.to(phoneA)); n != 0 {
			t.Fatalf("%d texts before the history was asked", n)
		}
		if st := r.ask(t, messages.GetSMSStatus{}).(messages.SMSStatus); st.InFlight != 1 {
			t.Errorf("in flight %d, want the cut text", st.InFlight)
		}
		if state, _ := stored(t, st); state != messages.SMSSending {
			t.Errorf("stored state %q before the lookup, want the intent kept", state)
		}

		sleepUntil(ny(2026, 3, 20, 12, 0))
		want := []string{"Mon 03-02 10:06", "Tue 03-03 08:00", "Thu 03-05 08:00", "Mon 03-09 08:00"}
		got := r.sender.to(phoneA)
		if diff := cmp.Diff(want, nyTimes(got)); diff != "" {
			t.Errorf("texts (-want +got):\n%s", diff)
		}
		if len(got) > 0 && got[0].body != first {
			t.Errorf("first text after the kill %q, want template 1", got[0].body)
		}
		if n := r.count(resultReconciledAbsent); n != 1 {
			t.Errorf("reconciled_absent %v, want 1", n)
		}
		if n := r.count(resultSent); n != 4 {
			t.Errorf("sent %v, want 4", n)
		}
		if after := r.sequence(t, phoneA); after.Status != messages.SMSCompleted || len(after.Messages) != 4 {
			t.Errorf("sequence %+v; want completed with 4 texts", after)
		}
		if state, intent := stored(t, st); state != messages.SMSSent || intent {
			t.Errorf("stored %q, words kept %v; want sent, words gone", state, intent)
		}
		finish(t, r)
	})
}

// The provider took the text just before the kill: it is recorded as sent
// (found by the words stored with the intent, though the template changed
// meanwhile), counts for its day, and is never sent again.
func TestACutTextFoundInTheHistoryIsNotSentAgain(t *testing.T) {
	st := openStore(t)
	synctest.Test(t, func(t *testing.T) {
		anchor := ny(2026, 3, 2, 10, 0)
		leaveIntent(t, st, anchor, first)
		cfg := config.Default().SMS
		cfg.Templates = append([]string{"Hello {{first_name}}, a new wording."}, cfg.Templates[1:]...)
		sleepUntil(anchor.Add(5 * time.Minute))
		r := start(t, cfg, st)
		r.sender.receive(phoneA, first+" ", anchor.Add(-2*time.Minute)) // the provider's clock runs behind; spacing differs

		sleepUntil(ny(2026, 3, 20, 12, 0))
		want := []string{"Mon 03-02 09:58", "Tue 03-03 08:00", "Thu 03-05 08:00", "Mon 03-09 08:00"}
		if diff := cmp.Diff(want, nyTimes(r.sender.to(phoneA))); diff != "" {
			t.Errorf("texts (-want +got):\n%s", diff)
		}
		after := r.sequence(t, phoneA)
		if m := after.Messages[0]; m.State != messages.SMSSent || m.MessageID != "sms-1" || !m.At.Equal(anchor) {
			t.Errorf("first text %+v; want sent with the history's id at the intent's time", m)
		}
		if n := r.count(resultReconciledSent); n != 1 {
			t.Errorf("reconciled_sent %v, want 1", n)
		}
		if state, intent := stored(t, st); state != messages.SMSSent || intent {
			t.Errorf("stored %q, words kept %v; want sent, words gone", state, intent)
		}
		finish(t, r)
	})
}

// While the provider cannot say, nothing is sent, across a second restart
// too; the first answer settles it.
func TestACutTextWaitsWhileTheProviderCannotSay(t *testing.T) {
	st := openStore(t)
	synctest.Test(t, func(t *testing.T) {
		anchor := ny(2026, 3, 2, 10, 0)
		leaveIntent(t, st, anchor, first)
		sleepUntil(anchor.Add(5 * time.Minute))
		r := start(t, config.Default().SMS, st)
		r.sender.mu.Lock()
		r.sender.lookFail = func(n int) error {
			if n <= 3 {
				return &bland.Error{Status: 502, Err: errors.New("bad gateway")}
			}
			return nil
		}
		r.sender.mu.Unlock()

		sleepUntil(ny(2026, 3, 2, 10, 7).Add(30 * time.Second)) // lookups at 10:06 and 10:07 failed
		r.restart(t)
		sleepUntil(ny(2026, 3, 2, 10, 9)) // and at 10:08:30
		if n := len(r.sender.to(phoneA)); n != 0 {
			t.Fatalf("%d texts while the provider could not say", n)
		}
		if state, intent := stored(t, st); state != messages.SMSSending || !intent {
			t.Errorf("stored %q, words kept %v; want the intent kept", state, intent)
		}
		if n := r.count(resultLookupFailed); n != 3 { // the metrics outlive an incarnation, as in the daemon
			t.Errorf("lookup_failed %v, want 3", n)
		}

		sleepUntil(ny(2026, 3, 2, 12, 0))
		if got := nyTimes(r.sender.to(phoneA)); !cmp.Equal(got, []string{"Mon 03-02 10:09"}) {
			t.Errorf("texts %v, want one once the provider answered (10:09:30)", got)
		}
		r.sender.mu.Lock()
		lookups := r.sender.lookups
		r.sender.mu.Unlock()
		if lookups != 4 {
			t.Errorf("%d lookups, want 4", lookups)
		}
		finish(t, r)
	})
}

// Absent, but the texting window closed meanwhile: the text waits for the
// next window like any due text, and the day cap still holds.
func TestACutTextAbsentAfterHoursWaitsForTheWindow(t *testing.T) {
	st := openStore(t)
	synctest.Test(t, func(t *testing.T) {
		anchor := ny(2026, 3, 2, 20, 58)
		leaveIntent(t, st, anchor, first)
		sleepUntil(ny(2026, 3, 2, 20, 59).Add(30 * time.Second))
		r := start(t, config.Default().SMS, st)
		sleepUntil(ny(2026, 3, 20, 12, 0))
		want := []string{"Tue 03-03 08:00", "Wed 03-04 08:00", "Thu 03-05 08:00", "Mon 03-09 08:00"}
		if diff := cmp.Diff(want, nyTimes(r.sender.to(phoneA))); diff != "" {
			t.Errorf("texts (-want +got):\n%s", diff)
		}
		finish(t, r)
	})
}

// Absent, but the lead opted out meanwhile: nothing is sent.
func TestACutTextOfAnOptedOutLeadIsNotSent(t *testing.T) {
	st := openStore(t)
	synctest.Test(t, func(t *testing.T) {
		anchor := ny(2026, 3, 2, 10, 0)
		leaveIntent(t, st, anchor, first)
		sleepUntil(anchor.Add(5 * time.Minute))
		r := start(t, config.Default().SMS, st)
		r.reply(phoneA, "STOP")
		sleepUntil(ny(2026, 3, 20, 12, 0))
		if got := r.sender.to(phoneA); len(got) != 0 {
			t.Errorf("texted an opted-out lead: %v", nyTimes(got))
		}
		after := r.sequence(t, phoneA)
		if after.Status != messages.SMSOptedOut || len(after.Messages) != 0 {
			t.Errorf("sequence %+v; want opted out, the absent text dropped", after)
		}
		finish(t, r)
	})
}

// In dry-run mode there is no history: the cut text counts as sent, as
// before the lookup existed, and the drip moves on.
func TestACutTextInDryRunCountsAsSent(t *testing.T) {
	st := openStore(t)
	synctest.Test(t, func(t *testing.T) {
		anchor := ny(2026, 3, 2, 10, 0)
		leaveIntent(t, st, anchor, first)
		sleepUntil(anchor.Add(5 * time.Minute))
		r := start(t, config.Default().SMS, st)
		r.sender.mu.Lock()
		r.sender.dryRun = true
		r.sender.mu.Unlock()
		sleepUntil(ny(2026, 3, 20, 12, 0))
		want := []string{"Tue 03-03 08:00", "Thu 03-05 08:00", "Mon 03-09 08:00"}
		if diff := cmp.Diff(want, nyTimes(r.sender.to(phoneA))); diff != "" {
			t.Errorf("texts (-want +got):\n%s", diff)
		}
		if m := r.sequence(t, phoneA).Messages[0]; m.State != messages.SMSUnknown {
			t.Errorf("first text %+v, want unknown", m)
		}
		if n := r.count(resultUnknown); n != 1 {
			t.Errorf("unknown %v, want 1", n)
		}
		finish(t, r)
	})
}

func TestInHistory(t *testing.T) {
	at := time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)
	ours := bland.Text{ID: "m1", Body: "Hi Jane, call us.", From: ourNumber, To: phoneA, At: at.Add(time.Second)}
	with := func(f func(*bland.Text)) []bland.Text { t := ours; f(&t); return []bland.Text{t} }
	tests := []struct {
		name  string
		texts []bland.Text
		want  bool
	}{
		{"ours", []bland.Text{ours}, true},
		{"none", nil, false},
		{"other words", with(func(t *bland.Text) { t.Body = "Hi Jane, call us later." }), false},
		{"spacing and case", with(func(t *bland.Text) { t.Body = "  hi JANE,\ncall  us. " }), true},
		{"from the lead", with(func(t *bland.Text) { t.From, t.To = phoneA, ourNumber }), false},
		{"inbound", with(func(t *bland.Text) { t.Inbound = true }), false},
		{"clock skew", with(func(t *bland.Text) { t.At = at.Add(-4 * time.Minute) }), true},
		{"an older text", with(func(t *bland.Text) { t.At = at.Add(-6 * time.Minute) }), false},
		{"no time", with(func(t *bland.Text) { t.At = time.Time{} }), true},
		{"no sender number", with(func(t *bland.Text) { t.From = "" }), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, got := inHistory(tt.texts, phoneA, "Hi Jane, call us.", at); got != tt.want {
				t.Errorf("inHistory = %v, want %v", got, tt.want)
			}
		})
	}
}
