package redial

import (
	"math"
	"strings"
	"time"

	"orchestrator/actors/businesshours"
	"orchestrator/config"
	"orchestrator/messages"
)

// Completion reasons a record can carry besides a stop outcome.
const (
	ReasonLifetimeCap = "lifetime cap"
	ReasonMaxAge      = "max age"
	ReasonBlocked     = "blocked"
	ReasonDailyCap    = "daily cap"
)

// Gap is the wait after the given number of attempts: Intervals[attempts-1],
// the last entry past the end, floored at MinGap. Fewer than one attempt
// counts as one.
func Gap(attempts int, cfg config.Redial) time.Duration {
	var g time.Duration
	if n := len(cfg.Intervals); n > 0 {
		i := min(max(attempts, 1), n) - 1
		g = cfg.Intervals[i]
	}
	return max(g, cfg.MinGap)
}

// DailyCap is the number of attempts allowed on calendar day today for a
// record created on createdDay (both YYYY-MM-DD in the business zone):
// DailySchedule indexed by the calendar days between them, the last entry
// past the end. It counts civil dates, so a 23- or 25-hour DST day is one
// day. An empty schedule means no daily cap; an unreadable date counts as
// the record's first day.
func DailyCap(createdDay, today string, cfg config.Redial) int {
	if len(cfg.DailySchedule) == 0 {
		return math.MaxInt
	}
	days := 0
	a, errA := time.Parse(time.DateOnly, createdDay)
	b, errB := time.Parse(time.DateOnly, today)
	if errA == nil && errB == nil {
		// Both are midnights in UTC, which has no DST: the difference is an
		// exact number of days, i.e. the civil-date difference.
		days = int(b.Sub(a) / (24 * time.Hour))
	}
	days = min(max(days, 0), len(cfg.DailySchedule)-1)
	return cfg.DailySchedule[days]
}

// IsStop reports whether o is one of cfg.StopOutcomes.
func IsStop(o messages.Outcome, cfg config.Redial) bool {
	if o == "" {
		return false
	}
	for _, s := range cfg.StopOutcomes {
		if strings.EqualFold(s, string(o)) {
			return true
		}
	}
	return false
}

// Hold says whether rec may not be dialled at now and what becomes of it:
// completed for a stop outcome, the lifetime cap or max age; daily_cap, due
// at the next day's opening, when today's attempts reached today's cap.
func Hold(now time.Time, rec messages.RedialRecord, cfg config.Redial, hours *businesshours.Hours) (due time.Time, status, reason string, held bool) {
	switch {
	case IsStop(rec.LastOutcome, cfg):
		return time.Time{}, messages.RedialDone, "outcome " + string(rec.LastOutcome), true
	case cfg.MaxAttempts > 0 && rec.Attempts >= cfg.MaxAttempts:
		return time.Time{}, messages.RedialDone, ReasonLifetimeCap, true
	case cfg.MaxAge > 0 && now.Sub(rec.CreatedAt) > cfg.MaxAge:
		return time.Time{}, messages.RedialDone, ReasonMaxAge, true
	}
	today := hours.Day(now)
	if rec.AttemptsByDay[today] >= DailyCap(hours.Day(rec.CreatedAt), today, cfg) {
		return hours.NextDayOpening(now), messages.RedialDailyCap, ReasonDailyCap, true
	}
	return time.Time{}, "", "", false
}

// NextDue plans rec after a change at now: Hold's answer if it is held, else
// pending at now + Gap(attempts) plus jitter (jitter in [0,1) picks a point
// in [JitterMin, JitterMax]), moved to the next opening when that falls
// outside business hours. A zero due means no opening ahead.
func NextDue(now time.Time, rec messages.RedialRecord, cfg config.Redial, hours *businesshours.Hours, jitter float64) (due time.Time, status, reason string) {
	if due, status, reason, held := Hold(now, rec, cfg, hours); held {
		return due, status, reason
	}
	return firstDue(now, rec.Attempts, cfg, hours, jitter), messages.RedialPending, ""
}

// firstDue is now + Gap(attempts) + jitter, inside business hours.
func firstDue(now time.Time, attempts int, cfg config.Redial, hours *businesshours.Hours, jitter float64) time.Time {
	due := now.Add(Gap(attempts, cfg))
	if cfg.JitterMax > cfg.JitterMin || cfg.JitterMin > 0 {
		spread := max(cfg.JitterMax-cfg.JitterMin, 0)
		due = due.Add(cfg.JitterMin + time.Duration(jitter*float64(spread)))
	}
	return hours.NextOpening(due)
}
