package sms

import (
	"strings"
	"time"

	"orchestrator/config"
)

// maxSearchDays bounds how far NextDue looks for a day with room for a text.
const maxSearchDays = 400

// NextDue is the first instant at or after now at which message pos of a
// sequence anchored at anchor may be sent: not before the anchor's calendar
// date plus DayGaps[pos] days (midnight in the lead's primary zone, so a
// 23- or 25-hour DST day is still one day), on one of Days between
// StartHour and EndHour in every zone of the lead, on a day (the lead's)
// with fewer than MaxPerDay of the texts in sent. It is the zero time when
// pos is past the last template or no instant qualifies within
// maxSearchDays.
func NextDue(now, anchor time.Time, pos int, sent []time.Time, z Zone, cfg config.SMS) time.Time {
	if pos < 0 || pos >= len(cfg.DayGaps) {
		return time.Time{}
	}
	w := newWindow(cfg)
	a := anchor.In(z.Primary)
	from := time.Date(a.Year(), a.Month(), a.Day()+cfg.DayGaps[pos], 0, 0, 0, 0, z.Primary)
	if now.After(from) {
		from = now
	}
	for range maxSearchDays {
		at := w.next(from, z)
		if at.IsZero() || sentOn(sent, at, z.Primary) < max(cfg.MaxPerDay, 1) {
			return at
		}
		d := at.In(z.Primary) // that day is full: look from the next midnight
		from = time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, z.Primary)
	}
	return time.Time{}
}

// Allowed reports whether a text may go at t: an allowed weekday and hour in
// every zone of the lead.
func Allowed(t time.Time, z Zone, cfg config.SMS) bool {
	return newWindow(cfg).allows(t, z.All)
}

// sentOn counts the texts sent on t's calendar date in loc.
func sentOn(sent []time.Time, t time.Time, loc *time.Location) int {
	y, m, d := t.In(loc).Date()
	n := 0
	for _, s := range sent {
		if sy, sm, sd := s.In(loc).Date(); sy == y && sm == m && sd == d {
			n++
		}
	}
	return n
}

// window is the texting window: weekdays, and hours [start, end) local.
type window struct {
	days       [7]bool
	start, end int
}

func newWindow(cfg config.SMS) window {
	w := window{start: cfg.StartHour, end: cfg.EndHour}
	for _, d := range cfg.Days {
		for wd := time.Sunday; wd <= time.Saturday; wd++ {
			if strings.EqualFold(d, wd.String()[:3]) {
				w.days[wd] = true
			}
		}
	}
	return w
}

func (w window) allows(t time.Time, zones []*time.Location) bool {
	for _, loc := range zones {
		l := t.In(loc)
		if !w.days[l.Weekday()] || l.Hour() < w.start || l.Hour() >= w.end {
			return false
		}
	}
	return true
}

// next is the first allowed instant at or after from. When the zones'
// windows never overlap (a one-hour window across two zones), the primary
// zone alone decides rather than never texting.
func (w window) next(from time.Time, z Zone) time.Time {
	if at := w.nextIn(from, z.All); !at.IsZero() || len(z.All) <= 1 {
		return at
	}
	return w.nextIn(from, []*time.Location{z.Primary})
}

// nextIn searches the start-of-window instants of each zone over the next
// week and a day: where allowed intervals intersect, the intersection starts
// at one of them (the latest start).
func (w window) nextIn(from time.Time, zones []*time.Location) time.Time {
	if w.allows(from, zones) {
		return from
	}
	var best time.Time
	for _, loc := range zones {
		l := from.In(loc)
		for d := 0; d <= 8; d++ {
			c := time.Date(l.Year(), l.Month(), l.Day()+d, w.start, 0, 0, 0, loc)
			if h := c.In(loc).Hour(); h < w.start {
				// A start inside a DST gap (02:00 on a spring-forward day)
				// comes back before the gap: the window opens after it.
				c = c.Add(time.Duration(w.start-h) * time.Hour)
			}
			if !best.IsZero() && !c.Before(best) {
				break
			}
			if c.After(from) && w.allows(c, zones) {
				best = c
				break
			}
		}
	}
	return best
}

// Fill puts the lead's names into a template ({{first_name}},
// {{last_name}}, spaces inside the braces allowed). A lead without a first
// name is greeted as "there" ("Hi there,"), never with an empty name.
func Fill(template, firstName, lastName string) string {
	first := strings.TrimSpace(firstName)
	if first == "" {
		first = "there"
	}
	last := strings.TrimSpace(lastName)
	return strings.NewReplacer(
		"{{first_name}}", first, "{{ first_name }}", first,
		"{{last_name}}", last, "{{ last_name }}", last,
	).Replace(template)
}
