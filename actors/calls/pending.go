package calls

import (
	"container/heap"
	"time"
)

// deadline is when a call held by a phone becomes unknown.
type deadline struct {
	at   stamp
	call uint64 // intent number
}

// deadlines is a min-heap of pending deadlines. One timer is armed for the
// earliest: a goroutine per call would cost a stack per call in flight.
// Entries of calls that completed meanwhile are skipped when they come due.
type deadlines []deadline

func (d deadlines) Len() int           { return len(d) }
func (d deadlines) Less(i, j int) bool { return d[i].at < d[j].at }
func (d deadlines) Swap(i, j int)      { d[i], d[j] = d[j], d[i] }
func (d *deadlines) Push(x any)        { *d = append(*d, x.(deadline)) }
func (d *deadlines) Pop() any {
	old := *d
	x := old[len(old)-1]
	*d = old[:len(old)-1]
	return x
}

// expectBy arms calls.pending_timeout for a call: at is when it expires.
func (s *Calls) expectBy(intent string, at time.Time) {
	n := intentNumber(intent)
	heap.Push(&s.deadlines, deadline{at: stampOf(at), call: n})
	if s.deadlines[0].call == n {
		s.armPending()
	}
}

// armPending keeps the one "pending" timer on the earliest deadline.
func (s *Calls) armPending() {
	if len(s.deadlines) == 0 {
		s.timers.Cancel("pending")
		return
	}
	s.timers.After("pending", max(0, s.deadlines[0].at.Time().Sub(s.now())), pendingTick{})
}

// pendingDue expires every call whose deadline has come, then re-arms.
func (s *Calls) pendingDue() {
	now := s.now()
	for len(s.deadlines) > 0 && !s.deadlines[0].at.Time().After(now) {
		d := heap.Pop(&s.deadlines).(deadline)
		s.pendingExpired(intentName(d.call))
	}
	s.armPending()
}
