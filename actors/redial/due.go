package redial

import (
	"container/heap"
	"maps"
	"math"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"go.uber.org/zap"

	"orchestrator/actors/internal/wire"
	"orchestrator/messages"
	"orchestrator/supervision"
)

// entry is one due time in the heap. Entries are never removed when a record
// changes: a popped entry whose due no longer matches its record is skipped.
type entry struct {
	due int64 // unix ns
	s   *slim
}

// dueHeap is a min-heap of entries, earliest first (phone breaks ties so the
// order is deterministic).
type dueHeap []entry

func (h dueHeap) Len() int { return len(h) }
func (h dueHeap) Less(i, j int) bool {
	if h[i].due != h[j].due {
		return h[i].due < h[j].due
	}
	return h[i].s.phone < h[j].s.phone
}
func (h dueHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *dueHeap) Push(x any)   { *h = append(*h, x.(entry)) }
func (h *dueHeap) Pop() any     { old := *h; e := old[len(old)-1]; *h = old[:len(old)-1]; return e }
func (h *dueHeap) init()        { heap.Init(h) }
func (h *dueHeap) push(e entry) { heap.Push(h, e) }
func (h *dueHeap) pop() entry   { return heap.Pop(h).(entry) }

// live returns the record an entry still stands for: it is kept (a dropped
// one has status 0), waits for a due time, that due is the entry's, and it
// is not in flight.
func (r *Redial) live(e entry) *slim {
	s := e.s
	if !schedulable(s.status) || s.nextDue != e.due {
		return nil
	}
	if _, busy := r.inflight[s.phone]; busy {
		return nil
	}
	return s
}

// earliest drops stale entries from the top and returns the first live one.
func (r *Redial) earliest() (entry, bool) {
	for len(r.due) > 0 {
		if e := r.due[0]; r.live(e) != nil {
			return e, true
		}
		r.due.pop()
	}
	return entry{}, false
}

// schedule pushes s's due time when it waits for one. A zero due (no
// business opening ahead) is not scheduled.
func (r *Redial) schedule(s *slim) {
	if schedulable(s.status) && s.nextDue != 0 {
		r.due.push(entry{due: s.nextDue, s: s})
		r.compact()
	}
}

// compact rebuilds the heap when stale entries outnumber the live ones, so
// its size stays proportional to the records waiting.
func (r *Redial) compact() {
	n := r.counts[messages.RedialPending] + r.counts[messages.RedialDailyCap] + r.counts[messages.RedialScheduledCallback]
	if len(r.due) <= 2*n+1024 {
		return
	}
	r.due = r.due[:0]
	for _, s := range r.index {
		if schedulable(s.status) && s.nextDue != 0 {
			r.due = append(r.due, entry{due: s.nextDue, s: s})
		}
	}
	r.due.init()
}

func (r *Redial) maxInFlight() int {
	if r.d.Cfg.MaxInFlight <= 0 {
		return math.MaxInt
	}
	return r.d.Cfg.MaxInFlight
}

// process submits the due records to the gate and re-arms the due timer.
func (r *Redial) process(c actor.Context, now time.Time) int {
	n := r.takeDue(now, func(req messages.DialRequest) { c.Request(r.d.Calls, req) })
	if n > 0 {
		r.d.Log.Debug("redials submitted", zap.Int("submitted", n), zap.Int("in_flight", len(r.inflight)))
	}
	r.arm(c, now)
	return n
}

func (r *Redial) processNow(c actor.Context, now time.Time) messages.RedialStatus {
	r.process(c, now)
	return r.status(now)
}

// takeDue pops the records due at now, earliest first, while fewer than
// max_in_flight requests await an answer, and sends each to the gate. A
// record the policy holds (caps, age, stop outcome) is re-planned instead.
// Nothing is sent while disabled or outside business hours. Its cost is
// O(k log n) for k records due: it never walks the records, and reads the
// full record (for the lead's facts) of those it sends or re-plans only.
func (r *Redial) takeDue(now time.Time, send func(messages.DialRequest)) int {
	hours := r.hours()
	if !r.enabled || !hours.IsOpen(now) {
		return 0
	}
	today, at := wire.DayNum(hours.Day(now)), now.UnixNano()
	n, limit := 0, r.maxInFlight()
	for len(r.inflight) < limit && len(r.due) > 0 && r.due[0].due <= at {
		s := r.live(r.due.pop())
		if s == nil {
			continue
		}
		if due, status, reason, held := hold(now, r.facts(s, today), r.d.Cfg, hours); held {
			rec := r.full(s)
			rec.NextDue, rec.Status, rec.Reason, rec.UpdatedAt = due, status, reason, now
			if status == messages.RedialDone {
				r.d.Log.Info("redial completed", zap.String("phone", rec.Phone.Masked()), zap.String("reason", reason),
					zap.Int("attempts", rec.Attempts))
			}
			r.put(rec, 0) // a daily_cap record is pushed again for the next day's opening
			continue
		}
		r.inflight[s.phone] = flight{sent: now, due: s.nextDue}
		send(messages.DialRequest{Kind: messages.DialRedial, Lead: leadOf(r.full(s)), Ref: string(s.phone)})
		n++
	}
	return n
}

// facts are s's, as Hold needs them, on business day today (yyyymmdd).
func (r *Redial) facts(s *slim, today int32) facts {
	created := unixTime(s.created)
	return facts{last: s.last, attempts: int(s.attempts), created: created, createdDay: wire.DayNum(r.hours().Day(created)),
		today: today, todays: s.attemptsOn(today)}
}

// leadOf is the lead to dial, with its own copy of Extra: a sent message is never mutated.
func leadOf(rec *messages.RedialRecord) messages.Lead {
	lead := rec.Lead
	lead.Phone = rec.Phone
	lead.Extra = maps.Clone(lead.Extra)
	return lead
}

// arm sets the one "due" timer for the next instant worth waking at, or
// cancels it when there is none.
func (r *Redial) arm(c actor.Context, now time.Time) {
	timers := supervision.TimersOf(c)
	at := r.nextWake(now)
	if at.IsZero() {
		timers.Cancel("due")
		r.armedAt = time.Time{}
		return
	}
	if at.Equal(r.armedAt) && timers.Has("due") {
		return
	}
	r.armedAt = at
	timers.After("due", max(at.Sub(now), 0), dueTick{})
}

// nextWake is the earliest live due, moved into business hours; zero when
// disabled, when nothing waits, or when the due records wait only for
// in-flight answers (each answer processes again).
func (r *Redial) nextWake(now time.Time) time.Time {
	if !r.enabled {
		return time.Time{}
	}
	e, ok := r.earliest()
	if !ok {
		return time.Time{}
	}
	hours := r.hours()
	at := unixTime(e.due)
	if !at.After(now) {
		if hours.IsOpen(now) {
			if len(r.inflight) >= r.maxInFlight() {
				return time.Time{}
			}
			return now
		}
		at = now
	}
	return hours.NextOpening(at)
}

// sweep is the safety tick: it releases requests the gate never answered,
// looks after the lead intake and processes whatever is due, in case a
// wake-up was missed.
func (r *Redial) sweep(c actor.Context, now time.Time) {
	r.checkIntake(c, now)
	for phone, f := range r.inflight {
		if now.Sub(f.sent) < inflightTimeout {
			continue
		}
		delete(r.inflight, phone)
		r.d.Log.Warn("the dial gate never answered a redial request; released for a retry",
			zap.String("phone", phone.Masked()), zap.Duration("waited", now.Sub(f.sent)))
		if s, ok := r.index[phone]; ok {
			r.schedule(s)
		}
	}
	r.commit() // a commit that failed is retried; a lead position that moved alone is stored
	r.process(c, now)
}
