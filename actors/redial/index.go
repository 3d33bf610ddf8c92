package redial

import (
	"time"

	"orchestrator/actors/internal/wire"
	"orchestrator/messages"
)

// slim is what the cadence keeps in memory per phone: only what its
// decisions need (status, due time, age, caps, last outcome). The full
// record (lead facts, outcome and call history) stays in the state file
// and is read when the phone is dialled, changed or listed, so 100 000
// records cost a few hundred bytes each rather than kilobytes.
type slim struct {
	phone    messages.Phone
	nextDue  int64 // unix nanoseconds; 0: none
	created  int64
	updated  int64
	attempts int32
	status   uint8
	days     [2]dayCount      // attempts on the two latest days with any, latest first
	last     messages.Outcome // interned
	reason   string           // interned
}

// dayCount is the attempts on one business day, written yyyymmdd.
type dayCount struct{ day, n int32 }

// Status codes: a byte in memory and in the index, the string outside.
const (
	stPending uint8 = iota + 1
	stDailyCap
	stPaused
	stDone
	stCallback
)

var statusNames = []string{"", messages.RedialPending, messages.RedialDailyCap, messages.RedialPaused, messages.RedialDone,
	messages.RedialScheduledCallback}

func statusCode(s string) uint8 {
	for i, n := range statusNames {
		if n == s && i > 0 {
			return uint8(i)
		}
	}
	return 0
}

func (s *slim) statusName() string {
	if int(s.status) < len(statusNames) {
		return statusNames[s.status]
	}
	return ""
}

func (s *slim) due() time.Time { return unixTime(s.nextDue) }

func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func unixTime(ns int64) time.Time {
	if ns == 0 {
		return time.Time{}
	}
	return time.Unix(0, ns).UTC()
}

// attemptsOn is the attempts counted on day (yyyymmdd).
func (s *slim) attemptsOn(day int32) int {
	for _, d := range s.days {
		if d.day == day && day != 0 {
			return int(d.n)
		}
	}
	return 0
}

// latestDays picks the two latest days of a full record's attempts.
func latestDays(byDay map[string]int) [2]dayCount {
	var out [2]dayCount
	for day, n := range byDay {
		d := dayCount{day: wire.DayNum(day), n: int32(n)}
		switch {
		case d.day > out[0].day:
			out[1], out[0] = out[0], d
		case d.day > out[1].day:
			out[1] = d
		}
	}
	return out
}

// interner shares the strings many records repeat (outcomes, reasons); it
// stops growing at a bound, so a stream of distinct reasons cannot grow it.
type interner map[string]string

const maxInterned = 4096

func (in interner) get(s string) string {
	if s == "" {
		return ""
	}
	if v, ok := in[s]; ok {
		return v
	}
	if len(in) < maxInterned {
		in[s] = s
	}
	return s
}

// getBytes is get for a byte slice; a string is made only when new.
func (in interner) getBytes(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if v, ok := in[string(b)]; ok {
		return v
	}
	return in.get(string(b))
}

// fill sets s from the full record rec.
func (s *slim) fill(rec *messages.RedialRecord, in interner) {
	s.phone = rec.Phone
	s.nextDue, s.created, s.updated = unixNano(rec.NextDue), unixNano(rec.CreatedAt), unixNano(rec.UpdatedAt)
	s.attempts, s.status = int32(rec.Attempts), statusCode(rec.Status)
	s.days = latestDays(rec.AttemptsByDay)
	s.last, s.reason = messages.Outcome(in.get(string(rec.LastOutcome))), in.get(rec.Reason)
}
