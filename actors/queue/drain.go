package queue

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"go.uber.org/zap"

	"orchestrator/messages"
	"orchestrator/supervision"
)

// armOpening arms the one-shot "opening" timer for the next opening after
// now: today's if business has not opened yet, else the next day's.
func (q *Queue) armOpening(c actor.Context, now time.Time) {
	next := q.d.Schedule.Hours().NextOpening(now)
	if !next.After(now) {
		next = q.d.Schedule.Hours().NextDayOpening(now)
	}
	q.nextOpening = next
	if next.IsZero() {
		q.d.Log.Warn("no business-hours opening ahead; the queue drains only on the safety tick")
		return
	}
	supervision.TimersOf(c).After("opening", next.Sub(now), openingTick{})
}

func (q *Queue) opening(c actor.Context, now time.Time) {
	q.armOpening(c, now)
	q.drain(c, now)
}

// safety releases refs the gate never answered, then resumes the drain they
// held up, or starts a new one when none is walking the queue.
func (q *Queue) safety(c actor.Context, now time.Time) {
	q.nextSafety = now.Add(q.d.Cfg.Interval)
	q.releaseStale(now)
	if q.draining && len(q.inflight) == 0 {
		q.resume(c, now)
	}
	if !q.draining {
		q.drain(c, now)
	}
}

func (q *Queue) process(c actor.Context, now time.Time) messages.QueueProcessed {
	n, skipped := q.drain(c, now)
	return messages.QueueProcessed{Submitted: n, Skipped: skipped}
}

// drain starts a walk over the queue from its head and submits the first
// batch; it says why when it submits nothing.
func (q *Queue) drain(c actor.Context, now time.Time) (int, string) {
	switch {
	case !q.d.Schedule.Hours().IsOpen(now):
		return 0, skippedClosed
	case len(q.inflight) > 0:
		return 0, skippedInFlight
	case q.items.Len() == 0:
		return 0, skippedEmpty
	}
	q.draining, q.next = true, q.items.Front()
	n := q.submit(c, now)
	if n == 0 {
		q.draining, q.next = false, nil
	}
	return n, ""
}

// resume submits the drain's next batch once the previous one is fully
// answered, or ends the drain at the tail or when hours have closed.
func (q *Queue) resume(c actor.Context, now time.Time) {
	if !q.draining || len(q.inflight) > 0 {
		return
	}
	if q.next != nil && q.d.Schedule.Hours().IsOpen(now) && q.submit(c, now) > 0 {
		return
	}
	q.draining, q.next = false, nil
	q.d.Log.Debug("queue drain finished", zap.Int("items", q.items.Len()))
}

// submit hands up to queue.batch items from the drain's position to the gate.
// The gate answers each with a DialResult to us; we never wait for it here.
func (q *Queue) submit(c actor.Context, now time.Time) int {
	n := 0
	for ; q.next != nil && n < q.d.Cfg.Batch; q.next = q.next.Next() {
		it := q.next.Value.(*messages.QueueItem)
		if _, busy := q.inflight[it.ID]; busy {
			continue
		}
		req := it.Request
		req.FromQueue, req.Ref = true, it.ID
		c.Request(q.d.Calls, req)
		q.inflight[it.ID] = now
		n++
	}
	q.d.Metrics.submitted.Add(float64(n))
	if n > 0 {
		q.d.Log.Info("queued dials submitted", zap.Int("submitted", n), zap.Int("items", q.items.Len()))
	}
	return n
}

// releaseStale forgets refs unanswered for inflightTimeout, so their items are
// submitted again by a later drain.
func (q *Queue) releaseStale(now time.Time) {
	for ref, at := range q.inflight {
		if now.Sub(at) >= inflightTimeout {
			delete(q.inflight, ref)
			q.d.Log.Warn("the dial gate never answered a queued request; released for a retry",
				zap.String("id", ref), zap.Duration("waited", now.Sub(at)))
		}
	}
}

// result applies the gate's answer to the queued item with that id, then
// lets the drain go on once its batch is fully answered.
func (q *Queue) result(c actor.Context, r messages.DialResult, now time.Time) {
	delete(q.inflight, r.Ref)
	defer q.resume(c, now)
	q.d.Metrics.results.WithLabelValues(string(r.Code)).Inc()
	el, ok := q.byID[r.Ref]
	if !ok {
		q.d.Log.Debug("answer for an item no longer queued; ignored", zap.String("id", r.Ref), zap.String("code", string(r.Code)))
		return
	}
	it := *el.Value.(*messages.QueueItem)
	p := q.newPlan()
	switch r.Code {
	case messages.DialDialled:
		p.changes = append(p.changes, del(itemKey(it.ID)))
		p.apply = append(p.apply, func() { q.unlink(el) })
		if !q.commit(p, "dialled") {
			q.unlink(el) // never dial twice because the disk failed; a restart may bring it back
			q.gauges()
		}
		q.d.Log.Debug("queued dial placed", append(logItem(it), zap.String("call_id", r.CallID))...)
		return
	case messages.DialBlocked:
		reason := string(r.Code)
		if r.Reason != "" {
			reason += ": " + r.Reason
		}
		q.toDead(p, el, it, reason)
		if q.commit(p, "blocked") {
			q.d.Log.Info("queued dial blocked; moved to the dead letters", logItem(it)...)
		}
		return
	case messages.DialClosed, messages.DialQueuedOffHours:
		return // hours ended mid-drain: kept for the next opening, no try counted
	}
	it.Tries++
	it.LastReason = string(r.Code)
	if it.Tries >= q.d.Cfg.MaxTries {
		q.toDead(p, el, it, it.LastReason)
		if q.commit(p, "give up") {
			q.d.Log.Warn("queued dial refused too often; moved to the dead letters",
				append(logItem(it), zap.Int("tries", it.Tries), zap.String("code", string(r.Code)))...)
		}
		return
	}
	p.changes = append(p.changes, put(itemKey(it.ID), it))
	p.apply = append(p.apply, func() { *el.Value.(*messages.QueueItem) = it })
	q.commit(p, "refused")
}

// nextDrain is when a drain will next find business open: the next safety
// tick if it comes before today's closing, else the next opening.
func (q *Queue) nextDrain(now time.Time) time.Time {
	if q.d.Schedule.Hours().IsOpen(now) && q.nextSafety.Before(q.d.Schedule.Hours().NextClosing(now)) {
		return q.nextSafety
	}
	return q.nextOpening
}
