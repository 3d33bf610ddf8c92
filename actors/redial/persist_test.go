package redial

import (
	"encoding/json"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"

	"orchestrator/actors/store"
	"orchestrator/messages"
)

func TestIndexEntryRoundTrips(t *testing.T) {
	rec := newRecord(phoneA, ny(2026, 3, 2, 10, 0))
	rec.Status, rec.Reason, rec.NextDue = messages.RedialDailyCap, ReasonDailyCap, ny(2026, 3, 3, 9, 0)
	rec.Attempts, rec.LastOutcome = 9, messages.OutcomeVoicemail
	rec.AttemptsByDay = map[string]int{"2026-02-27": 1, "2026-03-01": 3, "2026-03-02": 5}
	strs := interner{}
	var s slim
	s.fill(rec, strs)
	var got slim
	if err := got.decode(phoneA, s.encode(), strs); err != nil {
		t.Fatal(err)
	}
	if got != s {
		t.Fatalf("decoded %+v, want %+v", got, s)
	}
	if got.attemptsOn(20260302) != 5 || got.attemptsOn(20260301) != 3 || got.attemptsOn(20260227) != 0 {
		t.Errorf("days kept %+v, want the two latest", got.days)
	}
	if err := got.decode(phoneA, s.encode()[:20], strs); err == nil {
		t.Errorf("a truncated entry decoded")
	}
}

// A state file from before the index (full records only) is indexed at
// start: its records are listed, counted and dialled as before.
func TestRecordsWithoutAnIndexAreIndexedAtStart(t *testing.T) {
	b := openBucket(t)
	synctest.Test(t, func(t *testing.T) {
		sleepUntil(monday10)
		old := newRecord(phoneA, monday10.Add(-time.Hour))
		old.Lead = messages.Lead{LeadID: "LA", ListID: "7", Phone: phoneA, FirstName: "Ann"}
		old.Attempts, old.AttemptsByDay = 1, map[string]int{"2026-03-02": 1}
		old.NextDue, old.Calls = monday10.Add(time.Minute), []string{"c1"}
		raw, _ := json.Marshal(old)
		if err := b.Commit(0, store.Change{Key: recPrefix + string(phoneA), Value: raw}); err != nil {
			t.Fatal(err)
		}
		g := &gate{}
		r := start(t, testConfig(), b, g)
		synctest.Wait()
		if diff := cmp.Diff(*old, r.record(t, phoneA)); diff != "" {
			t.Errorf("record (-stored +listed):\n%s", diff)
		}
		sleepUntil(monday10.Add(time.Minute))
		if d := g.dialsOf(phoneA); len(d) != 1 || !d[0].Equal(monday10.Add(time.Minute)) {
			t.Errorf("dials %v, want one at its due time", nyTimes(d))
		}
		r.stop(t)
		if idx, _ := b.Get(idxPrefix + string(phoneA)); idx == nil {
			t.Errorf("no index entry stored")
		}
	})
}

func TestFullRecordRoundTripsAndJSONIsStillRead(t *testing.T) {
	rec := newRecord(phoneA, ny(2026, 3, 2, 10, 0))
	rec.Lead = messages.Lead{LeadID: "LA", ListID: "7", Phone: phoneA, FirstName: "Ann", LastName: "Lee", State: "FL",
		Email: "a@example.com", Extra: map[string]string{"vendor": "x", "score": "9"}}
	rec.Status, rec.Reason, rec.NextDue = messages.RedialDone, "outcome SALE", time.Time{}
	rec.Attempts, rec.LastOutcome = 2, messages.OutcomeSale
	rec.AttemptsByDay = map[string]int{"2026-03-02": 2}
	rec.Outcomes, rec.Calls = []messages.Outcome{messages.OutcomeNoAnswer, messages.OutcomeSale}, []string{"c1", "c2"}
	rec.CreatedAt, rec.UpdatedAt = rec.CreatedAt.UTC(), ny(2026, 3, 2, 11, 0).UTC()
	got, err := decodeRecord(encodeRecord(rec))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(rec, got); diff != "" {
		t.Errorf("record (-stored +read):\n%s", diff)
	}
	if _, err := decodeRecord(encodeRecord(rec)[:30]); err == nil {
		t.Errorf("a truncated record decoded")
	}
	raw, _ := json.Marshal(rec)
	if got, err := decodeRecord(raw); err != nil || !cmp.Equal(rec, got) {
		t.Errorf("a JSON record read as %+v, %v", got, err)
	}
}
