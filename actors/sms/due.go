package sms

import (
	"container/heap"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"orchestrator/messages"
)

// entry is one due time in the heap. Entries are never removed when a
// sequence changes: a popped entry whose due no longer matches is skipped.
type entry struct {
	due   time.Time
	phone messages.Phone
}

// dueHeap is a min-heap of entries, earliest first (phone breaks ties).
type dueHeap []entry

func (h dueHeap) Len() int { return len(h) }
func (h dueHeap) Less(i, j int) bool {
	if !h[i].due.Equal(h[j].due) {
		return h[i].due.Before(h[j].due)
	}
	return h[i].phone < h[j].phone
}
func (h dueHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *dueHeap) Push(x any)   { *h = append(*h, x.(entry)) }
func (h *dueHeap) Pop() any     { old := *h; e := old[len(old)-1]; *h = old[:len(old)-1]; return e }
func (h *dueHeap) init()        { heap.Init(h) }
func (h *dueHeap) push(e entry) { heap.Push(h, e) }
func (h *dueHeap) pop() entry   { return heap.Pop(h).(entry) }

// zoneOf is the lead's zone, cached by state (a few dozen at most).
func (s *SMS) zoneOf(state string) Zone {
	z, ok := s.zones[state]
	if !ok {
		z = ZoneOf(state, s.d.Schedule.Hours().Location())
		s.zones[state] = z
	}
	return z
}

// plan is when seq's next text may go, at or after now.
func (s *SMS) plan(seq *messages.SMSSequence, now time.Time) time.Time {
	return NextDue(now, seq.Anchor, seq.Next, sentTimes(seq), s.zoneOf(seq.Lead.State), s.d.Cfg)
}

// sentTimes are the times of the texts that count as sent, intents included.
func sentTimes(seq *messages.SMSSequence) []time.Time {
	out := make([]time.Time, 0, len(seq.Messages))
	for _, m := range seq.Messages {
		out = append(out, m.At)
	}
	return out
}

// replan sets seq's due time from now and pushes it on the heap.
func (s *SMS) replan(seq *messages.SMSSequence, now time.Time) {
	seq.NextDue = s.plan(seq, now)
	s.schedule(seq)
}

func (s *SMS) schedule(seq *messages.SMSSequence) {
	if seq.Status == messages.SMSActive && !seq.NextDue.IsZero() {
		s.due.push(entry{due: seq.NextDue, phone: seq.Phone})
		s.compact()
	}
}

// live returns the sequence an entry still stands for: active, due at the
// entry's time, not in flight and with no cut text to look up.
func (s *SMS) live(e entry) *messages.SMSSequence {
	seq, ok := s.seqs[e.phone]
	if !ok || seq.Status != messages.SMSActive || !seq.NextDue.Equal(e.due) {
		return nil
	}
	if _, busy := s.flights[e.phone]; busy {
		return nil
	}
	if _, cut := s.cuts[e.phone]; cut {
		return nil
	}
	return seq
}

// earliest drops stale entries from the top and returns the first live one.
func (s *SMS) earliest() (entry, bool) {
	for len(s.due) > 0 {
		if e := s.due[0]; s.live(e) != nil {
			return e, true
		}
		s.due.pop()
	}
	return entry{}, false
}

// compact rebuilds the heap when stale entries outnumber the live ones.
func (s *SMS) compact() {
	if len(s.due) <= 2*s.counts[messages.SMSActive]+1024 {
		return
	}
	s.due = s.due[:0]
	for _, seq := range s.seqs {
		if seq.Status == messages.SMSActive && !seq.NextDue.IsZero() {
			s.due = append(s.due, entry{due: seq.NextDue, phone: seq.Phone})
		}
	}
	s.due.init()
}

// maxFlights bounds the texts on their way at once: a morning opening with
// thousands due starts them as earlier ones finish, not all at once.
const maxFlights = 20

// process starts the texts due at now (each first asks the blocklist),
// while fewer than maxFlights are on their way, and re-arms the due timer.
// Nothing is sent while the drip is disabled.
func (s *SMS) process(c actor.Context, now time.Time) {
	for s.enabled && len(s.flights) < maxFlights && len(s.due) > 0 && !s.due[0].due.After(now) {
		seq := s.live(s.due.pop())
		if seq == nil {
			continue
		}
		// Due again at now: a day filled or a window closed since it was planned.
		if due := s.plan(seq, now); due.IsZero() || due.After(now) {
			seq.NextDue = due
			s.schedule(seq)
			continue
		}
		s.check(c, seq, now)
	}
	s.arm(now)
}

// arm sets the one "due" timer for the earliest live due time, or cancels
// it. A text already due while maxFlights are on their way waits for one of
// them to finish (which processes again), not for a timer.
func (s *SMS) arm(now time.Time) {
	e, ok := s.earliest()
	if !s.enabled || !ok || !e.due.After(now) && len(s.flights) >= maxFlights {
		s.timers.Cancel("due")
		s.armedAt = time.Time{}
		return
	}
	if e.due.Equal(s.armedAt) && s.timers.Has("due") {
		return
	}
	s.armedAt = e.due
	s.timers.After("due", max(e.due.Sub(now), 0), dueTick{})
}
