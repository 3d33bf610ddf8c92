package stats

import (
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"orchestrator/actors/store"
	"orchestrator/messages"
)

var (
	vm = messages.OutcomeVoicemail
	tr = messages.OutcomeTransferred
	na = messages.OutcomeNoAnswer
)

// wednesday is the fixed "now" of the tests that need no timer.
var wednesday = ny(2026, 6, 10, 15, 0)

func TestTheSameCompletionDeliveredFiveTimesCountsOnce(t *testing.T) {
	b := openBucket(t)
	r := start(t, b, fixed(wednesday), nil)
	for range 5 {
		r.send(call("c1", 7, tr, wednesday))
	}
	r.send(call("c2", 8, vm, wednesday))
	got := r.day(t, "2026-06-10")
	want := messages.DayStats{Date: "2026-06-10", CallStats: Rates(messages.StatsCounts{
		TotalCalls: 2, CompletedCalls: 2, AnsweredCalls: 1, TransferredCalls: 1, VoicemailCalls: 1})}
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("day after c1 five times and c2 (-want +got):\n%s", d)
	}
	if got.TransferRate != 100 || got.SuccessRate != 100 {
		t.Errorf("rates = %v, %v; want 100, 100", got.TransferRate, got.SuccessRate)
	}
	if today := r.day(t, ""); today != got {
		t.Errorf("today = %+v, want the same as 2026-06-10", today)
	}
	r.stop(t)
	if applied, err := b.Applied(); err != nil || applied != 8 {
		t.Fatalf("applied = %d, %v; want 8", applied, err)
	}
	wantKeys := []string{"day/2026-06-10", "id/2026-06-10/c1", "id/2026-06-10/c2"}
	if d := cmp.Diff(wantKeys, keys(t, b)); d != "" {
		t.Errorf("stored keys (-want +got):\n%s", d)
	}
}

func TestCountsSurviveARestartAndRepeatsStillCountOnce(t *testing.T) {
	s, path := openStore(t)
	b := s.Bucket("stats")
	r := start(t, b, fixed(wednesday), nil)
	r.send(call("c1", 5, vm, wednesday), call("c2", 6, tr, wednesday.AddDate(0, 0, -1)))
	r.stop(t)
	_ = s.Close()

	s, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	b = s.Bucket("stats")
	r = start(t, b, fixed(wednesday), nil)
	defer r.stop(t)
	if got := r.day(t, "2026-06-10"); got.TotalCalls != 1 || got.VoicemailCalls != 1 {
		t.Fatalf("today after a restart = %+v, want 1 voicemail", got.StatsCounts)
	}
	if got := r.day(t, "2026-06-09"); got.TotalCalls != 1 || got.TransferredCalls != 1 {
		t.Fatalf("yesterday after a restart = %+v, want 1 transfer", got.StatsCounts)
	}
	// The same calls again (a resend), c2 even with another outcome, then a new one.
	r.send(call("c1", 5, vm, wednesday), call("c2", 6, na, wednesday), call("c3", 9, na, wednesday))
	if got := r.day(t, "2026-06-10"); got.TotalCalls != 2 || got.NoAnswerCalls != 1 || got.VoicemailCalls != 1 {
		t.Fatalf("today after repeats and c3 = %+v, want c1 and c3 only", got.StatsCounts)
	}
	all := r.ask(t, messages.GetAllTimeStats{}).(messages.AllTimeStats)
	if all.TotalCalls != 3 || all.Days != 2 || all.FirstDate != "2026-06-09" || all.LastDate != "2026-06-10" {
		t.Errorf("all time = %+v, want 3 calls on 2 days", all)
	}
}

// The fall-back day (2026-11-01) has 25 hours in New York: stepping by 24 h
// from a midnight would list it twice or skip the next one.
func TestRangeAcrossTheNovemberDSTChangeListsEachDayOnce(t *testing.T) {
	r := start(t, openBucket(t), fixed(ny(2026, 11, 3, 12, 0)), nil)
	defer r.stop(t)
	r.send(
		call("a", 1, vm, ny(2026, 10, 31, 23, 59)),
		call("b", 2, vm, ny(2026, 11, 1, 0, 30)),                        // EDT
		call("c", 3, vm, time.Date(2026, 11, 1, 6, 30, 0, 0, time.UTC)), // 01:30 EST, the second 01:30
		call("d", 4, tr, time.Date(2026, 11, 2, 4, 59, 0, 0, time.UTC)), // 23:59 EST on the 1st
		call("e", 5, na, time.Date(2026, 11, 2, 5, 0, 0, 0, time.UTC)),  // midnight EST: the 2nd
		call("f", 6, na, ny(2026, 11, 3, 9, 0)),
	)
	got := r.ask(t, messages.GetStatsRange{Start: "2026-10-31", End: "2026-11-03"}).(messages.StatsRange)
	if got.Err != "" {
		t.Fatal(got.Err)
	}
	var dates []string
	var totals []int
	for _, d := range got.Days {
		dates, totals = append(dates, d.Date), append(totals, d.TotalCalls)
	}
	if d := cmp.Diff([]string{"2026-10-31", "2026-11-01", "2026-11-02", "2026-11-03"}, dates); d != "" {
		t.Fatalf("days (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]int{1, 3, 1, 1}, totals); d != "" {
		t.Errorf("total_calls per day (-want +got):\n%s", d)
	}
	wantTotals := Rates(messages.StatsCounts{TotalCalls: 6, CompletedCalls: 6, AnsweredCalls: 1, TransferredCalls: 1,
		VoicemailCalls: 3, NoAnswerCalls: 2})
	if d := cmp.Diff(wantTotals, got.Totals); d != "" {
		t.Errorf("totals (-want +got):\n%s", d)
	}

	spring := r.ask(t, messages.GetStatsRange{Start: "2026-03-07", End: "2026-03-09"}).(messages.StatsRange)
	if len(spring.Days) != 3 || spring.Days[1].Date != "2026-03-08" || spring.Days[2].Date != "2026-03-09" {
		t.Errorf("the spring-forward range = %+v, want 3 days", spring.Days)
	}
}

func TestBadQueriesAreAnsweredWithTheProblem(t *testing.T) {
	r := start(t, openBucket(t), fixed(wednesday), nil)
	defer r.stop(t)
	if res := r.ask(t, messages.GetDayStats{Date: "2026-02-30"}).(messages.DayStatsResult); res.Err == "" {
		t.Errorf("a date that does not exist answered %+v", res)
	}
	for _, q := range []messages.GetStatsRange{{Start: "2026-06-10", End: "2026-06-09"}, {Start: "x", End: "2026-06-09"},
		{Start: "2025-01-01", End: "2026-06-09"}} {
		if res := r.ask(t, q).(messages.StatsRange); res.Err == "" || res.Days == nil {
			t.Errorf("range %+v answered %+v, want an error and an empty list", q, res)
		}
	}
}

// At start the ids of days before the dedupe window are forgotten, unless
// their journal record is after the applied sequence (it may come again).
func TestStartForgetsOldCallIDsThatCannotComeAgain(t *testing.T) {
	b := openBucket(t)
	err := b.Commit(10,
		store.Change{Key: idKey("2026-06-01", "old-applied"), Value: encodeSeq(5)},
		store.Change{Key: idKey("2026-06-01", "old-not-applied"), Value: encodeSeq(12)},
		store.Change{Key: idKey("2026-06-03", "in-window"), Value: encodeSeq(6)},
		store.Change{Key: dayKey("2026-06-01"), Value: encodeCounts(messages.StatsCounts{TotalCalls: 2, CompletedCalls: 2})},
	)
	if err != nil {
		t.Fatal(err)
	}
	r := start(t, b, fixed(wednesday), nil) // window: 2026-06-03 .. 2026-06-10
	r.send(call("old-not-applied", 12, vm, wednesday), call("in-window", 6, vm, wednesday))
	if got := r.day(t, "2026-06-10"); got.TotalCalls != 0 {
		t.Errorf("remembered calls counted again: %+v", got.StatsCounts)
	}
	r.stop(t)
	want := []string{"day/2026-06-01", "id/2026-06-01/old-not-applied", "id/2026-06-03/in-window"}
	if d := cmp.Diff(want, keys(t, b)); d != "" {
		t.Errorf("stored keys (-want +got):\n%s", d)
	}
	if applied, _ := b.Applied(); applied != 12 {
		t.Errorf("applied = %d, want 12", applied)
	}
}

func TestReplaceRewritesTheRangeOnlyAndTheDaemonDoesNotCountItsCallsAgain(t *testing.T) {
	b := openBucket(t)
	old := func(n int) []byte { return encodeCounts(messages.StatsCounts{TotalCalls: n, CompletedCalls: n}) }
	err := b.Commit(20,
		store.Change{Key: dayKey("2026-06-01"), Value: old(9)},
		store.Change{Key: dayKey("2026-06-02"), Value: old(5)}, // no call in the journal: deleted
		store.Change{Key: dayKey("2026-06-05"), Value: old(7)}, // outside the range: kept
	)
	if err != nil {
		t.Fatal(err)
	}
	one := Apply(messages.StatsCounts{}, call("x", 0, vm, time.Time{}))
	err = Replace(b, Rebuilt{From: "2026-06-01", To: "2026-06-03", Today: "2026-06-10", Window: 7,
		Days: map[string]messages.StatsCounts{"2026-06-01": one, "2026-06-03": one, "2026-06-05": one},
		Calls: []Counted{{CallID: "c1", Day: "2026-06-01", Seq: 30}, {CallID: "c3", Day: "2026-06-03", Seq: 12},
			{CallID: "c5", Day: "2026-06-05", Seq: 31}}})
	if err != nil {
		t.Fatal(err)
	}
	// c1: before the window but after applied, so it may still be resent; c3: in the window.
	want := []string{"day/2026-06-01", "day/2026-06-03", "day/2026-06-05", "id/2026-06-01/c1", "id/2026-06-03/c3"}
	if d := cmp.Diff(want, keys(t, b)); d != "" {
		t.Errorf("stored keys (-want +got):\n%s", d)
	}
	if applied, _ := b.Applied(); applied != 20 {
		t.Errorf("applied = %d, want 20 as it was", applied)
	}

	r := start(t, b, fixed(wednesday), nil)
	defer r.stop(t)
	r.send(call("c1", 30, tr, ny(2026, 6, 1, 12, 0)), call("c3", 12, tr, ny(2026, 6, 3, 12, 0)))
	rng := r.ask(t, messages.GetStatsRange{Start: "2026-06-01", End: "2026-06-05"}).(messages.StatsRange)
	var totals []int
	for _, d := range rng.Days {
		totals = append(totals, d.TotalCalls)
	}
	if !slices.Equal(totals, []int{1, 0, 1, 0, 7}) {
		t.Errorf("totals per day after the rebuild = %v, want [1 0 1 0 7]", totals)
	}
}
