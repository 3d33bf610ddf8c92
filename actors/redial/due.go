package redial

import (
	"container/heap"
	"math"
	"slices"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"go.uber.org/zap"

	"orchestrator/messages"
	"orchestrator/supervision"
)

// entry is one due time in the heap. Entries are never removed when a record
// changes: a popped entry whose due no longer matches its record is skipped.
type entry struct {
	due   time.Time
	phone messages.Phone
}

// dueHeap is a min-heap of entries, earliest first (phone breaks ties so the
// order is deterministic).
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

// live returns the record an entry still stands for: it exists, waits for a
// due time, that due is the entry's, and it is not in flight.
func (r *Redial) live(e entry) *messages.RedialRecord {
	rec, ok := r.records[e.phone]
	if !ok || !schedulable(rec.Status) || !rec.NextDue.Equal(e.due) {
		return nil
	}
	if _, busy := r.inflight[e.phone]; busy {
		return nil
	}
	return rec
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

// compact rebuilds the heap when stale entries outnumber the live ones, so
// its size stays proportional to the records waiting.
func (r *Redial) compact() {
	waiting := r.counts[messages.RedialPending] + r.counts[messages.RedialDailyCap]
	if len(r.due) <= 2*waiting+1024 {
		return
	}
	r.due = r.due[:0]
	for _, rec := range r.records {
		if schedulable(rec.Status) && !rec.NextDue.IsZero() {
			r.due = append(r.due, entry{due: rec.NextDue, phone: rec.Phone})
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
// O(k log n) for k records due: it never walks the records.
func (r *Redial) takeDue(now time.Time, send func(messages.DialRequest)) int {
	hours := r.hours()
	if !r.enabled || !hours.IsOpen(now) {
		return 0
	}
	n, limit := 0, r.maxInFlight()
	for len(r.inflight) < limit && len(r.due) > 0 && !r.due[0].due.After(now) {
		rec := r.live(r.due.pop())
		if rec == nil {
			continue
		}
		if due, status, reason, held := Hold(now, *rec, r.d.Cfg, hours); held {
			old := rec.Status
			rec.NextDue, rec.Status, rec.Reason, rec.UpdatedAt = due, status, reason, now
			if status == messages.RedialDone {
				r.d.Log.Info("redial completed", zap.String("phone", rec.Phone.Masked()), zap.String("reason", reason),
					zap.Int("attempts", rec.Attempts))
			}
			r.changed(rec, old) // a daily_cap record is pushed again for the next day's opening
			continue
		}
		r.inflight[rec.Phone] = flight{sent: now, due: rec.NextDue}
		send(messages.DialRequest{Kind: messages.DialRedial, Lead: leadOf(rec), Ref: string(rec.Phone)})
		n++
	}
	return n
}

// leadOf is the lead to dial, with its own copy of Extra: a sent message is never mutated.
func leadOf(rec *messages.RedialRecord) messages.Lead {
	lead := rec.Lead
	lead.Phone = rec.Phone
	if lead.Extra != nil {
		extra := make(map[string]string, len(lead.Extra))
		for k, v := range lead.Extra {
			extra[k] = v
		}
		lead.Extra = extra
	}
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
	at := e.due
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

// sweep is the safety tick: it releases requests the gate never answered and
// processes whatever is due, in case a wake-up was missed.
func (r *Redial) sweep(c actor.Context, now time.Time) {
	for phone, f := range r.inflight {
		if now.Sub(f.sent) < inflightTimeout {
			continue
		}
		delete(r.inflight, phone)
		r.d.Log.Warn("the dial gate never answered a redial request; released for a retry",
			zap.String("phone", phone.Masked()), zap.Duration("waited", now.Sub(f.sent)))
		if rec, ok := r.records[phone]; ok {
			r.schedule(rec)
		}
	}
	r.process(c, now)
}

// result applies the gate's answer to the record it was for, then refills
// the free in-flight slots.
func (r *Redial) result(c actor.Context, m messages.DialResult, now time.Time) {
	phone := messages.Phone(m.Ref)
	f, was := r.inflight[phone]
	delete(r.inflight, phone)
	r.d.Metrics.dials.WithLabelValues(string(m.Code)).Inc()
	rec, ok := r.records[phone]
	switch {
	case !ok:
		r.d.Log.Debug("answer for a removed record; ignored", zap.String("phone", phone.Masked()), zap.String("code", string(m.Code)))
	case !was:
		// Released by the sweep and possibly sent again: the newer request's
		// answer decides; only a provider failure still counts as an attempt.
		if m.Code == messages.DialFailed {
			r.countAttempt(rec, now)
			rec.UpdatedAt = now
			r.changed(rec, rec.Status)
		}
	default:
		r.apply(rec, m, f, now)
	}
	r.process(c, now)
}

// apply re-plans rec after the gate's answer m to the request f.
func (r *Redial) apply(rec *messages.RedialRecord, m messages.DialResult, f flight, now time.Time) {
	old := rec.Status
	if m.Code == messages.DialFailed {
		r.countAttempt(rec, now) // a provider failure is an attempt (DOMAIN "calls" rule 7)
	}
	rec.UpdatedAt = now
	if !schedulable(old) { // paused or completed while in flight
		r.changed(rec, old)
		return
	}
	hours := r.hours()
	status, reason := messages.RedialPending, "gate: "+string(m.Code)
	var due time.Time
	switch m.Code {
	case messages.DialDialled:
		if m.CallID != "" && slices.Contains(rec.Calls, m.CallID) {
			r.changed(rec, old) // its completion came first and re-planned it
			return
		}
		due, reason = now.Add(dialledGuard), "dialled; awaiting completion"
	case messages.DialBusy:
		due = retryAt(m, now, now.Add(busyRetry))
	case messages.DialQueuedOffHours, messages.DialClosed:
		due = hours.NextOpening(now) // the gate's hours and ours may differ: never "now"
		if !due.After(now) {
			due = hours.NextDayOpening(now)
		}
		due = retryAt(m, now, due)
	case messages.DialDailyCap:
		due, status = retryAt(m, now, hours.NextDayOpening(now)), messages.RedialDailyCap
	case messages.DialDuplicate, messages.DialAMCap:
		due = retryAt(m, now, hours.NextDayOpening(now))
	case messages.DialBlocked:
		status, reason = messages.RedialDone, ReasonBlocked
		r.d.Log.Info("redial completed", zap.String("phone", rec.Phone.Masked()), zap.String("reason", reason))
	case messages.DialFailed:
		due, status, reason = NextDue(now, *rec, r.d.Cfg, hours, r.rand())
	default:
		r.d.Log.Warn("unknown dial gate answer; retried later", zap.String("code", string(m.Code)))
		due = now.Add(busyRetry)
	}
	if status != messages.RedialDone && m.Code != messages.DialFailed && !rec.NextDue.Equal(f.due) && rec.NextDue.After(due) {
		due = rec.NextDue // a completion re-planned it while in flight: keep its gap
	}
	rec.NextDue, rec.Status, rec.Reason = due, status, reason
	r.changed(rec, old)
}

// retryAt is the gate's RetryAt when it is ahead of now, else def.
func retryAt(m messages.DialResult, now, def time.Time) time.Time {
	if m.RetryAt.After(now) {
		return m.RetryAt
	}
	return def
}
