package amtracker

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"orchestrator/actors/store"
	"orchestrator/config"
	"orchestrator/messages"
)

const (
	p1 messages.Phone = "+15555550101"
	p2 messages.Phone = "+15555550102"
)

var (
	vm = messages.OutcomeVoicemail
	na = messages.OutcomeNoAnswer
)

// wednesday is the fixed "now" of the tests that need no timer.
var wednesday = ny(2024, 6, 12, 15, 0)

func fixed(at time.Time) func() time.Time { return func() time.Time { return at } }

// calls makes n completions of one lead and phone, ids prefix1..prefixN.
func calls(prefix string, n int, lead string, phone messages.Phone, outcome messages.Outcome, at time.Time) []messages.CallCompleted {
	out := make([]messages.CallCompleted, n)
	for i := range out {
		out[i] = call(fmt.Sprintf("%s%d", prefix, i+1), lead, phone, outcome, at)
	}
	return out
}

func TestCheckAMCap(t *testing.T) {
	yesterday := wednesday.AddDate(0, 0, -1)
	lateTonightUTC := time.Date(2024, 6, 13, 2, 0, 0, 0, time.UTC) // 22:00 on Wednesday in New York
	tests := []struct {
		name  string
		calls []messages.CallCompleted
		q     messages.CheckAMCap
		want  messages.AMCapStatus
	}{
		{"three voicemails are under the cap", calls("c", 3, "L1", p1, vm, wednesday),
			messages.CheckAMCap{Ref: "r", LeadID: "L1", Phone: p1}, messages.AMCapStatus{Ref: "r", Count: 3}},
		{"the cap is reached at exactly max_per_day, mixing tracked outcomes",
			append(calls("v", 2, "L1", p1, vm, wednesday), calls("n", 2, "L1", p1, na, wednesday)...),
			messages.CheckAMCap{Ref: "r", LeadID: "L1", Phone: p1}, messages.AMCapStatus{Ref: "r", Reached: true, Count: 4}},
		{"untracked outcomes are not counted",
			append(calls("b", 2, "L1", p1, messages.OutcomeBusy, wednesday), calls("t", 2, "L1", p1, messages.OutcomeTransferred, wednesday)...),
			messages.CheckAMCap{Ref: "r", LeadID: "L1", Phone: p1}, messages.AMCapStatus{Ref: "r"}},
		{"another lead is not capped", calls("c", 4, "L1", p1, vm, wednesday),
			messages.CheckAMCap{Ref: "r", LeadID: "L2", Phone: p2}, messages.AMCapStatus{Ref: "r"}},
		{"yesterday's calls do not count today", calls("c", 4, "L1", p1, vm, yesterday),
			messages.CheckAMCap{Ref: "r", LeadID: "L1", Phone: p1}, messages.AMCapStatus{Ref: "r"}},
		{"a call late in the New York evening counts for that New York day", calls("c", 4, "L1", p1, vm, lateTonightUTC),
			messages.CheckAMCap{Ref: "r", LeadID: "L1"}, messages.AMCapStatus{Ref: "r", Reached: true, Count: 4}},
		{"a completion without a time counts today", calls("c", 4, "L1", p1, vm, time.Time{}),
			messages.CheckAMCap{Ref: "r", LeadID: "L1"}, messages.AMCapStatus{Ref: "r", Reached: true, Count: 4}},
		{"by phone when the check has no lead id", calls("c", 4, "L1", p1, na, wednesday),
			messages.CheckAMCap{Ref: "r", Phone: p1}, messages.AMCapStatus{Ref: "r", Reached: true, Count: 4}},
		{"by lead id, summing the lead's phones",
			append(calls("a", 2, "L1", p1, vm, wednesday), calls("b", 2, "L1", p2, vm, wednesday)...),
			messages.CheckAMCap{Ref: "r", LeadID: "L1", Phone: p2}, messages.AMCapStatus{Ref: "r", Reached: true, Count: 4}},
		{"by lead id, not the phone's calls without a lead", calls("c", 4, "", p1, vm, wednesday),
			messages.CheckAMCap{Ref: "r", LeadID: "L1", Phone: p1}, messages.AMCapStatus{Ref: "r"}},
		{"by phone, every lead on the phone", append(calls("a", 2, "", p1, vm, wednesday), calls("b", 2, "L9", p1, vm, wednesday)...),
			messages.CheckAMCap{Ref: "r", Phone: p1}, messages.AMCapStatus{Ref: "r", Reached: true, Count: 4}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := start(t, config.Default().AMTracker, openBucket(t), fixed(wednesday))
			defer r.stop(t)
			r.send(tc.calls...)
			if got := r.check(t, tc.q); got != tc.want {
				t.Errorf("check %+v = %+v, want %+v", tc.q, got, tc.want)
			}
		})
	}
}

func TestTheSameCallCountsOnceAndCountsSurviveARestart(t *testing.T) {
	s, path := openStore(t)
	b := s.Bucket("amtracker")
	r := start(t, config.Default().AMTracker, b, fixed(wednesday))
	c1 := call("c1", "L1", p1, vm, wednesday)
	c1.Seq = 7
	c2 := call("c2", "L1", p1, na, wednesday)
	c2.Seq = 9
	r.send(c1, c1, c2)
	if got := r.check(t, messages.CheckAMCap{LeadID: "L1"}); got.Count != 2 {
		t.Fatalf("count after c1, c1 again, c2 = %d, want 2", got.Count)
	}
	if got := testutil.ToFloat64(r.metrics.counted.WithLabelValues("VOICEMAIL")); got != 1 {
		t.Errorf("counted{VOICEMAIL} = %v, want 1", got)
	}
	r.stop(t)
	if applied, err := b.Applied(); err != nil || applied != 9 {
		t.Fatalf("applied seq = %d, %v; want 9", applied, err)
	}
	_ = s.Close()

	s, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	b = s.Bucket("amtracker")
	r = start(t, config.Default().AMTracker, b, fixed(wednesday))
	defer r.stop(t)
	if got := r.check(t, messages.CheckAMCap{LeadID: "L1"}); got.Count != 2 {
		t.Fatalf("count after a restart = %d, want 2", got.Count)
	}
	old := call("c2", "L1", p1, na, wednesday) // the journal redelivers an applied completion
	old.Seq = 9
	r.send(c1, old)
	r.send(calls("x", 2, "L1", p1, vm, wednesday)...)
	if got := r.check(t, messages.CheckAMCap{LeadID: "L1"}); got.Count != 4 || !got.Reached {
		t.Fatalf("after redelivery and two new calls = %+v, want 4, reached", got)
	}
	if applied, _ := b.Applied(); applied != 9 {
		t.Fatalf("applied seq moved to %d; calls without a seq must not move it back", applied)
	}
}

func TestStatsAndRecordsAreTodaysHighestCountFirst(t *testing.T) {
	r := start(t, config.Default().AMTracker, openBucket(t), fixed(wednesday))
	defer r.stop(t)
	r.send(calls("a", 2, "L2", p2, vm, wednesday)...)
	r.send(calls("b", 5, "L1", p1, na, wednesday)...)
	r.send(calls("c", 2, "L0", p1, vm, wednesday)...)
	r.send(calls("d", 3, "L7", p2, vm, wednesday.AddDate(0, 0, -1))...) // yesterday: not listed
	wantStats := messages.AMStats{Day: "2024-06-12", Leads: 3, AtCap: 1, Outcomes: 9, MaxPerDay: 4}
	if got := r.stats(t); got != wantStats {
		t.Errorf("stats = %+v, want %+v", got, wantStats)
	}
	if got := r.atCap(); got != 1 {
		t.Errorf("at_cap gauge = %v, want 1", got)
	}
	got := r.ask(t, messages.GetAMRecords{}).(messages.AMRecords)
	want := messages.AMRecords{Day: "2024-06-12", Total: 3, Records: []messages.AMRecord{
		{LeadID: "L1", Phone: p1, Count: 5}, {LeadID: "L0", Phone: p1, Count: 2}, {LeadID: "L2", Phone: p2, Count: 2}}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("records (-want +got):\n%s", d)
	}
	page := r.ask(t, messages.GetAMRecords{Limit: 1, Offset: 1}).(messages.AMRecords)
	if page.Total != 3 || len(page.Records) != 1 || page.Records[0].LeadID != "L0" {
		t.Errorf("page 2 of 1 = %+v", page)
	}
	if past := r.ask(t, messages.GetAMRecords{Offset: 10}).(messages.AMRecords); past.Records == nil || len(past.Records) != 0 {
		t.Errorf("offset past the end = %#v, want an empty list", past.Records)
	}
}

func TestStartDropsDaysOlderThanYesterday(t *testing.T) {
	b := openBucket(t)
	put := func(date, lead string, ids ...string) {
		p := &pair{LeadID: lead, Phone: p1, Calls: ids}
		if err := b.Commit(0, store.Change{Key: pairKey(date, lead, p1), Value: encode(p)}); err != nil {
			t.Fatal(err)
		}
	}
	put("2024-06-09", "L1", "a1", "a2", "a3", "a4")
	put("2024-06-10", "L1", "b1", "b2", "b3", "b4")
	put("2024-06-11", "L1", "c1") // yesterday: kept until the prune
	put("2024-06-12", "L1", "d1", "d2", "d3", "d4")
	if err := b.Commit(0, store.Change{Key: "garbage", Value: []byte("{")}); err != nil {
		t.Fatal(err)
	}
	r := start(t, config.Default().AMTracker, b, fixed(wednesday))
	defer r.stop(t)
	if got := r.check(t, messages.CheckAMCap{LeadID: "L1"}); got.Count != 4 || !got.Reached {
		t.Errorf("today's count after a restart = %+v, want 4, reached", got)
	}
	want := []string{pairKey("2024-06-11", "L1", p1), pairKey("2024-06-12", "L1", p1)}
	if d := cmp.Diff(want, keys(t, b)); d != "" {
		t.Errorf("stored keys (-want +got):\n%s", d)
	}
	if got := r.atCap(); got != 1 {
		t.Errorf("at_cap gauge = %v, want 1", got)
	}
}

func TestNextAt(t *testing.T) {
	at2030 := clock{20, 30}
	tests := []struct {
		name string
		now  time.Time
		at   clock
		want time.Time
	}{
		{"later today", ny(2024, 6, 12, 15, 0), at2030, ny(2024, 6, 12, 20, 30)},
		{"exactly now is tomorrow's", ny(2024, 6, 12, 20, 30), at2030, ny(2024, 6, 13, 20, 30)},
		{"after it: tomorrow", ny(2024, 6, 12, 23, 59), at2030, ny(2024, 6, 13, 20, 30)},
		{"an instant given in UTC", time.Date(2024, 6, 13, 1, 0, 0, 0, time.UTC), at2030, ny(2024, 6, 13, 20, 30)},
		{"spring-forward day is 23 hours", ny(2024, 3, 9, 20, 30), at2030, time.Date(2024, 3, 11, 0, 30, 0, 0, time.UTC)},
		{"fall-back day is 25 hours", ny(2024, 11, 2, 20, 30), at2030, time.Date(2024, 11, 4, 1, 30, 0, 0, time.UTC)},
		{"midnight", ny(2024, 6, 12, 15, 0), clock{}, ny(2024, 6, 13, 0, 0)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := nextAt(tc.now, newYork, tc.at); !got.Equal(tc.want) {
				t.Errorf("nextAt(%v, %v) = %v, want %v", tc.now, tc.at, got, tc.want)
			}
		})
	}
	gap := nextAt(ny(2024, 3, 10, 1, 0), newYork, clock{2, 30}) // 02:30 does not exist that night
	if !gap.After(ny(2024, 3, 10, 1, 0)) || gap.Sub(ny(2024, 3, 10, 1, 0)) > 2*time.Hour {
		t.Errorf("a prune time in the DST gap resolves to %v", gap)
	}
}
