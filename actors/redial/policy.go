package redial

import (
	"math"
	"strings"
	"time"

	"orchestrator/actors/businesshours"
	"orchestrator/actors/internal/wire"
	"orchestrator/config"
	"orchestrator/messages"
)

// Completion reasons a record can carry besides a stop outcome.
const (
	ReasonLifetimeCap = "lifetime cap"
	ReasonMaxAge      = "max age"
	ReasonBlocked     = "blocked"
	ReasonDailyCap    = "daily cap"
	ReasonCallback    = "callback requested"
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
	return dailyCap(wire.DayNum(createdDay), wire.DayNum(today), cfg)
}

// dailyCap is DailyCap on yyyymmdd days (0: unreadable).
func dailyCap(createdDay, today int32, cfg config.Redial) int {
	if len(cfg.DailySchedule) == 0 {
		return math.MaxInt
	}
	days := 0
	if createdDay != 0 && today != 0 {
		// Both as midnights in UTC, which has no DST: the difference is an
		// exact number of days, i.e. the civil-date difference.
		days = int(civil(today).Sub(civil(createdDay)) / (24 * time.Hour))
	}
	days = min(max(days, 0), len(cfg.DailySchedule)-1)
	return cfg.DailySchedule[days]
}

func civil(day int32) time.Time {
	return time.Date(int(day/10000), time.Month(day/100%100), int(day%100), 0, 0, 0, 0, time.UTC)
}

// callbackKeys are the completion variables read, in order, for the time a
// lead asked to be called back at.
var callbackKeys = []string{"callback_time", "callback_at", "callback_datetime"}

// CallbackAt is the call-back time a completion's variables ask for: RFC
// 3339, or a wall-clock "YYYY-MM-DD HH:MM[:SS]" (a T may separate them)
// read in loc, the business zone. ok is false when none parses.
func CallbackAt(vars map[string]string, loc *time.Location) (time.Time, bool) {
	for _, k := range callbackKeys {
		v := strings.TrimSpace(vars[k])
		if v == "" {
			continue
		}
		if t, err := time.Parse(time.RFC3339, v); err == nil {
			return t, true
		}
		for _, layout := range []string{"2006-01-02 15:04", "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02T15:04:05"} {
			if t, err := time.ParseInLocation(layout, v, loc); err == nil {
				return t, true
			}
		}
	}
	return time.Time{}, false
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
	today := hours.Day(now)
	return hold(now, facts{last: rec.LastOutcome, attempts: rec.Attempts, created: rec.CreatedAt,
		createdDay: wire.DayNum(hours.Day(rec.CreatedAt)), today: wire.DayNum(today), todays: rec.AttemptsByDay[today]}, cfg, hours)
}

// facts are what Hold decides on; the cadence has them in memory (slim)
// for every record, so a due tick never reads a full record to decide.
type facts struct {
	last       messages.Outcome
	attempts   int
	created    time.Time
	createdDay int32 // yyyymmdd, business zone
	today      int32
	todays     int // attempts today
}

func hold(now time.Time, f facts, cfg config.Redial, hours *businesshours.Hours) (due time.Time, status, reason string, held bool) {
	switch {
	case IsStop(f.last, cfg):
		return time.Time{}, messages.RedialDone, "outcome " + string(f.last), true
	case cfg.MaxAttempts > 0 && f.attempts >= cfg.MaxAttempts:
		return time.Time{}, messages.RedialDone, ReasonLifetimeCap, true
	case cfg.MaxAge > 0 && now.Sub(f.created) > cfg.MaxAge:
		return time.Time{}, messages.RedialDone, ReasonMaxAge, true
	}
	if f.todays >= dailyCap(f.createdDay, f.today, cfg) {
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
