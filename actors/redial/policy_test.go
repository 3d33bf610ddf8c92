package redial

import (
	"math"
	"testing"
	"time"

	"orchestrator/config"
	"orchestrator/messages"
)

func TestGap(t *testing.T) {
	def := testConfig() // 0, 0, 5m, 10m, 30m, 1h, 2h floored at 2m
	for _, tc := range []struct {
		name     string
		attempts int
		cfg      config.Redial
		want     time.Duration
	}{
		{"no attempt counts as one", 0, def, 2 * time.Minute},
		{"first interval floored", 1, def, 2 * time.Minute},
		{"second floored", 2, def, 2 * time.Minute},
		{"third", 3, def, 5 * time.Minute},
		{"fourth", 4, def, 10 * time.Minute},
		{"last", 7, def, 2 * time.Hour},
		{"past the end: the last", 30, def, 2 * time.Hour},
		{"no intervals: min gap", 3, config.Redial{MinGap: time.Minute}, time.Minute},
		{"no floor", 1, config.Redial{Intervals: []time.Duration{0, time.Second}}, 0},
		{"above the floor", 2, config.Redial{Intervals: []time.Duration{0, 3 * time.Minute}, MinGap: time.Minute}, 3 * time.Minute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Gap(tc.attempts, tc.cfg); got != tc.want {
				t.Errorf("Gap(%d) = %v, want %v", tc.attempts, got, tc.want)
			}
		})
	}
}

func TestDailyCap(t *testing.T) {
	def := testConfig() // 8, 6, 6, 3, 2, 1
	for _, tc := range []struct {
		name, created, today string
		cfg                  config.Redial
		want                 int
	}{
		{"first day", "2026-03-02", "2026-03-02", def, 8},
		{"second day", "2026-03-02", "2026-03-03", def, 6},
		{"month end", "2026-01-31", "2026-02-01", def, 6},
		{"february end, not leap", "2026-02-28", "2026-03-01", def, 6},
		{"february end, leap: two days", "2024-02-28", "2024-03-01", def, 6},
		{"leap day to march", "2024-02-28", "2024-03-02", def, 3},
		{"year end", "2026-12-31", "2027-01-01", def, 6},
		{"30-day month end", "2026-04-28", "2026-05-02", def, 2},
		{"spring forward day is one day", "2026-03-07", "2026-03-08", def, 6},
		{"across spring forward", "2026-03-06", "2026-03-09", def, 3},
		{"fall back day is one day", "2026-10-31", "2026-11-01", def, 6},
		{"across fall back", "2026-10-29", "2026-11-02", def, 2},
		{"past the end: the last", "2026-03-02", "2026-03-20", def, 1},
		{"before creation: the first", "2026-03-02", "2026-03-01", def, 8},
		{"unreadable date: the first", "yesterday", "2026-03-01", def, 8},
		{"no schedule: no cap", "2026-03-02", "2026-03-05", config.Redial{}, math.MaxInt},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := DailyCap(tc.created, tc.today, tc.cfg); got != tc.want {
				t.Errorf("DailyCap(%s, %s) = %d, want %d", tc.created, tc.today, got, tc.want)
			}
		})
	}
}

// A record's day is its business-zone calendar date: 22 elapsed hours on the
// spring-forward day and 24 on the fall-back day are still its first day.
func TestDailyCapOnDSTDaysThroughHours(t *testing.T) {
	h := testHours(t).Hours()
	cfg := testConfig()
	for _, tc := range []struct {
		name            string
		created, now    time.Time
		wantCap         int
		wantElapsedHour int
	}{
		{"spring forward", ny(2026, 3, 8, 0, 30), ny(2026, 3, 8, 23, 30), 8, 22},
		{"fall back", ny(2026, 11, 1, 0, 30), ny(2026, 11, 1, 23, 30), 8, 24},
		{"day after fall back", ny(2026, 11, 1, 0, 30), ny(2026, 11, 2, 0, 10), 6, 24},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := int(tc.now.Sub(tc.created).Hours()); got != tc.wantElapsedHour {
				t.Fatalf("elapsed %dh, want %dh", got, tc.wantElapsedHour)
			}
			if got := DailyCap(h.Day(tc.created), h.Day(tc.now), cfg); got != tc.wantCap {
				t.Errorf("cap = %d, want %d", got, tc.wantCap)
			}
		})
	}
}

func TestNextDue(t *testing.T) {
	h := testHours(t).Hours()
	mon := ny(2026, 3, 2, 10, 0) // a Monday
	fri := ny(2026, 3, 6, 16, 58)
	rec := func(created time.Time, attempts, today int, last messages.Outcome) messages.RedialRecord {
		return messages.RedialRecord{Phone: "+15555550001", Status: messages.RedialPending, CreatedAt: created,
			Attempts: attempts, AttemptsByDay: map[string]int{h.Day(created): today}, LastOutcome: last}
	}
	jitter := testConfig()
	jitter.JitterMin, jitter.JitterMax = time.Minute, 3*time.Minute
	for _, tc := range []struct {
		name       string
		now        time.Time
		rec        messages.RedialRecord
		cfg        config.Redial
		jitter     float64
		wantDue    time.Time
		wantStatus string
		wantReason string
	}{
		{"gap after the first attempt", mon, rec(mon, 1, 1, messages.OutcomeNoAnswer), testConfig(), 0,
			mon.Add(2 * time.Minute), messages.RedialPending, ""},
		{"gap after the fourth", mon, rec(mon, 4, 4, messages.OutcomeVoicemail), testConfig(), 0,
			mon.Add(10 * time.Minute), messages.RedialPending, ""},
		{"jitter in [min, max]", mon, rec(mon, 1, 1, messages.OutcomeNoAnswer), jitter, 0.5,
			mon.Add(4 * time.Minute), messages.RedialPending, ""},
		{"stop outcome", mon, rec(mon, 1, 1, messages.OutcomeTransferred), testConfig(), 0,
			time.Time{}, messages.RedialDone, "outcome TRANSFERRED"},
		{"stop outcome DNC", mon, rec(mon, 1, 1, messages.OutcomeDNC), testConfig(), 0,
			time.Time{}, messages.RedialDone, "outcome DNC"},
		{"not a stop outcome", mon, rec(mon, 1, 1, messages.OutcomeCallback), testConfig(), 0,
			mon.Add(2 * time.Minute), messages.RedialPending, ""},
		{"lifetime cap", mon, rec(mon.AddDate(0, 0, -3), 35, 0, messages.OutcomeNoAnswer), testConfig(), 0,
			time.Time{}, messages.RedialDone, ReasonLifetimeCap},
		{"one below the lifetime cap", mon, rec(mon.AddDate(0, 0, -3), 34, 0, messages.OutcomeNoAnswer), testConfig(), 0,
			mon.Add(2 * time.Hour), messages.RedialPending, ""},
		{"max age", mon, rec(mon.Add(-15*24*time.Hour-time.Second), 5, 0, messages.OutcomeNoAnswer), testConfig(), 0,
			time.Time{}, messages.RedialDone, ReasonMaxAge},
		{"exactly max age", mon, rec(mon.Add(-15*24*time.Hour), 5, 0, messages.OutcomeNoAnswer), testConfig(), 0,
			mon.Add(30 * time.Minute), messages.RedialPending, ""},
		{"daily cap: next day's opening", mon, rec(mon, 8, 8, messages.OutcomeNoAnswer), testConfig(), 0,
			ny(2026, 3, 3, 9, 0), messages.RedialDailyCap, ReasonDailyCap},
		{"daily cap on friday: monday's opening", ny(2026, 3, 6, 11, 0), rec(ny(2026, 3, 6, 10, 0), 8, 8, messages.OutcomeNoAnswer),
			testConfig(), 0, ny(2026, 3, 9, 9, 0), messages.RedialDailyCap, ReasonDailyCap},
		{"gap past closing: next opening", ny(2026, 3, 2, 16, 57), rec(mon, 3, 3, messages.OutcomeNoAnswer), testConfig(), 0,
			ny(2026, 3, 3, 9, 0), messages.RedialPending, ""},
		{"gap past friday closing: monday, after spring forward", fri, rec(fri, 1, 1, messages.OutcomeNoAnswer), testConfig(), 0,
			ny(2026, 3, 9, 9, 0), messages.RedialPending, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			due, status, reason := NextDue(tc.now, tc.rec, tc.cfg, h, tc.jitter)
			if !due.Equal(tc.wantDue) || status != tc.wantStatus || reason != tc.wantReason {
				t.Errorf("NextDue = %v %q %q, want %v %q %q", due.In(newYork), status, reason, tc.wantDue.In(newYork),
					tc.wantStatus, tc.wantReason)
			}
		})
	}
}
