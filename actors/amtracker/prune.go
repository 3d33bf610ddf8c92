package amtracker

import (
	"strconv"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"go.uber.org/zap"

	"orchestrator/actors/store"
	"orchestrator/supervision"
)

// clock is a wall-clock time of day, HH:MM.
type clock struct{ h, m int }

func parseClock(s string) (clock, bool) {
	if len(s) != 5 || s[2] != ':' {
		return clock{}, false
	}
	h, err1 := strconv.Atoi(s[:2])
	m, err2 := strconv.Atoi(s[3:])
	if err1 != nil || err2 != nil || h < 0 || h > 23 || m < 0 || m > 59 {
		return clock{}, false
	}
	return clock{h, m}, true
}

// nextAt is the first instant after now at which the clock in loc reads at,
// today or a following day. On a DST change day a time in the gap resolves as
// time.Date does; the result is always after now.
func nextAt(now time.Time, loc *time.Location, at clock) time.Time {
	l := now.In(loc)
	var next time.Time
	for d := 0; d <= 2; d++ {
		next = time.Date(l.Year(), l.Month(), l.Day()+d, at.h, at.m, 0, 0, loc)
		if next.After(now) {
			break
		}
	}
	return next
}

// armPrune arms the one-shot "prune" timer for the next prune time.
func (t *Tracker) armPrune(c actor.Context, now time.Time) time.Time {
	next := nextAt(now, t.location(), t.pruneAt)
	supervision.TimersOf(c).After("prune", next.Sub(now), pruneTick{})
	return next
}

// armRollover arms the one-shot "rollover" timer for the next midnight, when
// today's counts start from zero and the at-cap gauge must say so.
func (t *Tracker) armRollover(c actor.Context, now time.Time) {
	next := nextAt(now, t.location(), clock{})
	supervision.TimersOf(c).After("rollover", next.Sub(now), rolloverTick{})
}

func (t *Tracker) rollover(c actor.Context, now time.Time) {
	t.gauge(now)
	t.armRollover(c, now)
}

// prune drops every day other than today, from the store and from memory,
// and re-arms itself for the next day.
func (t *Tracker) prune(c actor.Context, now time.Time) {
	today := t.day(now)
	days, records := t.dropOtherDays(today)
	t.pruned = days
	next := t.armPrune(c, now)
	t.gauge(now)
	t.d.Log.Info("amtracker pruned", zap.String("today", today), zap.Int("days_dropped", days),
		zap.Int("records_dropped", records), zap.Time("next_prune", next))
}

// dropOtherDays deletes every record not of today. The store is scanned
// rather than trusting memory, so records memory never held (unreadable ones)
// go too. Memory is dropped even when the store cannot be written: the
// records left behind are dropped at the next prune or start.
func (t *Tracker) dropOtherDays(today string) (days, records int) {
	dropped := map[string]bool{}
	var drop []store.Change
	for k := range t.staged { // not yet stored: a later flush must not bring it back
		if dayOfKey(k) != today {
			delete(t.staged, k)
		}
	}
	err := t.d.Bucket.Load(func(k, _ []byte) error {
		if date := dayOfKey(string(k)); date != today {
			drop = append(drop, store.Change{Key: string(k)})
			dropped[date] = true
		}
		return nil
	})
	if err == nil && len(drop) > 0 {
		err = t.d.Bucket.Commit(0, drop...)
	}
	if err != nil {
		t.d.Log.Error("amtracker: old days not deleted from the store", zap.Error(err))
	}
	for date := range t.days {
		if date != today {
			dropped[date] = true
			delete(t.days, date)
		}
	}
	return len(dropped), len(drop)
}
