package businesshours

import (
	"errors"
	"fmt"
	"strconv"
	"time"
	_ "time/tzdata" // business hours must work on machines without a zone database

	"orchestrator/config"
)

// MaxSearchDays bounds how many calendar days NextOpening and NextDayOpening
// look ahead before giving up and returning the zero time.
const MaxSearchDays = 400

// Hours is an immutable business calendar, safe for concurrent use.
type Hours struct {
	loc      *time.Location
	days     [7]bool      // indexed by time.Weekday
	open     int          // minutes after midnight
	close    int          // minutes after midnight, up to 24*60
	blackout map[int]bool // yyyymmdd in business time
	anytime  bool
}

// New builds Hours from cfg, loading its time zone from the embedded database
// when the system has none; it rechecks what config.Validate checks.
func New(cfg config.Business) (*Hours, error) {
	var errs []error
	h := &Hours{blackout: make(map[int]bool, len(cfg.BlackoutDates)), anytime: cfg.CallbacksAnytime}
	loc, err := time.LoadLocation(cfg.Timezone)
	if err != nil || cfg.Timezone == "" {
		errs = append(errs, fmt.Errorf("businesshours: timezone: unknown time zone %q", cfg.Timezone))
	}
	h.loc = loc
	for _, d := range cfg.Days {
		wd, ok := weekday(d)
		if !ok {
			errs = append(errs, fmt.Errorf("businesshours: days: unknown day %q", d))
			continue
		}
		h.days[wd] = true
	}
	var okOpen, okClose bool
	if h.open, okOpen = clock(cfg.Open, false); !okOpen {
		errs = append(errs, fmt.Errorf("businesshours: open: must be HH:MM from 00:00 to 23:59 (got %q)", cfg.Open))
	}
	if h.close, okClose = clock(cfg.Close, true); !okClose {
		errs = append(errs, fmt.Errorf("businesshours: close: must be HH:MM from 00:01 to 24:00 (got %q)", cfg.Close))
	}
	if okOpen && okClose && h.close <= h.open {
		errs = append(errs, fmt.Errorf("businesshours: close: must be after open (%s)", cfg.Open))
	}
	for _, s := range cfg.BlackoutDates {
		t, err := time.Parse(time.DateOnly, s)
		if err != nil {
			errs = append(errs, fmt.Errorf("businesshours: blackout date %q: %w", s, err))
			continue
		}
		h.blackout[dateOf(t).key()] = true
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return h, nil
}

// Location returns the business time zone.
func (h *Hours) Location() *time.Location { return h.loc }

// CallbacksAnytime reports whether call-back webhooks and SMS callback
// requests may dial outside business hours.
func (h *Hours) CallbacksAnytime() bool { return h.anytime }

// Day returns the business-zone calendar date of t as YYYY-MM-DD.
func (h *Hours) Day(t time.Time) string { return t.In(h.loc).Format(time.DateOnly) }

// IsOpen reports whether t lies inside a business day's window (see the
// package comment for how Open and Close resolve on DST days).
func (h *Hours) IsOpen(t time.Time) bool {
	_, ok := h.windowAt(t)
	return ok
}

// NextOpening returns t if IsOpen(t), else the first instant after t at which
// it is open (in the business zone), skipping closed weekdays and blackout
// dates; it returns the zero time if nothing opens within MaxSearchDays (for
// example when no days are configured).
func (h *Hours) NextOpening(t time.Time) time.Time {
	if h.IsOpen(t) {
		return t
	}
	d := h.dateIn(t)
	// From the day before: in a zone that falls back across midnight, that
	// day's window can end after t.
	for i := -1; i <= MaxSearchDays; i++ {
		if o, c, ok := h.window(d.add(i)); ok && t.Before(c) {
			return o
		}
	}
	return time.Time{}
}

// NextClosing returns, when open at t, the instant the current window closes
// (Close "24:00" is the next local midnight), else t.
func (h *Hours) NextClosing(t time.Time) time.Time {
	if c, ok := h.windowAt(t); ok {
		return c
	}
	return t
}

// NextDayOpening returns the first opening on a business-zone calendar day
// after t's, for "daily cap reached: next day's opening"; it returns the zero
// time if nothing opens within MaxSearchDays.
func (h *Hours) NextDayOpening(t time.Time) time.Time {
	d := h.dateIn(t)
	for i := 1; i <= MaxSearchDays; i++ {
		if o, _, ok := h.window(d.add(i)); ok {
			return o
		}
	}
	return time.Time{}
}

// windowAt returns the closing of the window that contains t, if any.
func (h *Hours) windowAt(t time.Time) (time.Time, bool) {
	d := h.dateIn(t)
	// Neighbouring days matter only where a DST jump crosses midnight.
	for _, i := range [...]int{0, -1, 1} {
		if o, c, ok := h.window(d.add(i)); ok && !t.Before(o) && t.Before(c) {
			return c, true
		}
	}
	return time.Time{}, false
}

// window returns day d's [opening, closing), ok false if d is closed or its
// window is empty (both ends in one DST gap).
func (h *Hours) window(d date) (opening, closing time.Time, ok bool) {
	if !h.days[d.weekday()] || h.blackout[d.key()] {
		return time.Time{}, time.Time{}, false
	}
	opening, closing = h.firstAt(d, h.open), h.firstAt(d, h.close)
	return opening, closing, opening.Before(closing)
}

// firstAt returns the first instant at which the business clock reads day d
// at mins minutes after midnight or later: a time skipped by a DST jump
// resolves to the end of the gap, a repeated one to its first occurrence.
// (time.Date leaves both cases unspecified.)
func (h *Hours) firstAt(d date, mins int) time.Time {
	wall := time.Date(d.y, d.m, d.d, 0, mins, 0, 0, time.UTC).Unix() // wall clock as if UTC
	// Start before any offset could put the wall clock at or past wall, then
	// walk the zone periods in order: within one, the wall clock is
	// instant+offset and rises, so its first instant reaching wall is easy.
	lo := wall - 26*3600
	t := time.Unix(lo, 0).In(h.loc)
	for range 16 {
		_, off := t.Zone()
		c := max(lo, wall-int64(off))
		_, end := t.ZoneBounds()
		if end.IsZero() || c < end.Unix() {
			return time.Unix(c, 0).In(h.loc)
		}
		lo, t = end.Unix(), end.In(h.loc)
	}
	return time.Date(d.y, d.m, d.d, 0, mins, 0, 0, h.loc) // not reached with real zone data
}

func (h *Hours) dateIn(t time.Time) date { return dateOf(t.In(h.loc)) }

// date is a calendar date with no zone.
type date struct {
	y int
	m time.Month
	d int
}

func dateOf(t time.Time) date {
	y, m, d := t.Date()
	return date{y, m, d}
}

func (d date) add(days int) date {
	return dateOf(time.Date(d.y, d.m, d.d+days, 0, 0, 0, 0, time.UTC))
}

func (d date) weekday() time.Weekday {
	return time.Date(d.y, d.m, d.d, 0, 0, 0, 0, time.UTC).Weekday()
}

func (d date) key() int { return d.y*10000 + int(d.m)*100 + d.d }

// weekday parses a config day name (mon..sun).
func weekday(s string) (time.Weekday, bool) {
	switch s {
	case "sun":
		return time.Sunday, true
	case "mon":
		return time.Monday, true
	case "tue":
		return time.Tuesday, true
	case "wed":
		return time.Wednesday, true
	case "thu":
		return time.Thursday, true
	case "fri":
		return time.Friday, true
	case "sat":
		return time.Saturday, true
	}
	return 0, false
}

// clock parses HH:MM into minutes after midnight; "24:00" only as a close.
// It mirrors config's own check so New accepts what Validate accepts.
func clock(s string, isClose bool) (int, bool) {
	if len(s) != 5 || s[2] != ':' {
		return 0, false
	}
	h, err1 := strconv.Atoi(s[:2])
	m, err2 := strconv.Atoi(s[3:])
	if err1 != nil || err2 != nil || h < 0 || m < 0 || m > 59 {
		return 0, false
	}
	if isClose && h == 24 && m == 0 {
		return 24 * 60, true
	}
	return h*60 + m, h <= 23
}
