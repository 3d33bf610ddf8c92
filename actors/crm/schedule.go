package crm

import (
	"container/heap"
	"time"
)

// The pending entries not in flight wait in one of two queues, so finding
// the next one to deliver costs O(log n), not a scan of the outbox: ready
// holds new entries (due at once) in arrival order, retries holds the
// entries waiting for a later NextTry (retries, and everything loaded at
// start) by NextTry. Parked and in-flight entries are in neither.

// fifo is a queue of entries; popped slots are released so delivered
// entries can be collected.
type fifo struct {
	buf  []*entry
	head int
}

func (q *fifo) len() int { return len(q.buf) - q.head }

func (q *fifo) push(e *entry) { q.buf = append(q.buf, e) }

func (q *fifo) peek() *entry {
	if q.len() == 0 {
		return nil
	}
	return q.buf[q.head]
}

func (q *fifo) pop() *entry {
	e := q.buf[q.head]
	q.buf[q.head] = nil
	q.head++
	switch {
	case q.len() == 0 && cap(q.buf) > 4096:
		q.buf, q.head = nil, 0 // after a burst: give the large array back
	case q.len() == 0:
		q.buf, q.head = q.buf[:0], 0
	case q.head >= 1024 && q.head >= q.len():
		n := copy(q.buf, q.buf[q.head:])
		clear(q.buf[n:])
		q.buf, q.head = q.buf[:n], 0
	}
	return e
}

// retryHeap is a min-heap of entries by NextTry (container/heap).
type retryHeap []*entry

func (h retryHeap) Len() int           { return len(h) }
func (h retryHeap) Less(i, j int) bool { return before(h[i], h[j]) }
func (h retryHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *retryHeap) Push(x any)        { *h = append(*h, x.(*entry)) }
func (h *retryHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return e
}

func (h retryHeap) peek() *entry {
	if len(h) == 0 {
		return nil
	}
	return h[0]
}

// before is delivery order: earliest NextTry, then oldest, then by key.
func before(a, b *entry) bool {
	if !a.item.NextTry.Equal(b.item.NextTry) {
		return a.item.NextTry.Before(b.item.NextTry)
	}
	if !a.item.CreatedAt.Equal(b.item.CreatedAt) {
		return a.item.CreatedAt.Before(b.item.CreatedAt)
	}
	return a.key() < b.key()
}

// schedule puts a pending entry in the queue its NextTry calls for.
func (o *Outbox) schedule(e *entry) {
	if e.queued || e.inflight || e.item.Parked {
		return
	}
	e.queued = true
	if e.item.NextTry.After(o.now()) {
		heap.Push(&o.retries, e)
	} else {
		o.ready.push(e)
	}
}

// pump starts the due updates while delivery slots are free, then arms the
// retry timer for the earliest update not yet due. With every slot taken it
// does nothing: the next delivery result pumps again.
func (o *Outbox) pump() {
	if o.inflight >= maxInFlight || o.stopping {
		return
	}
	now := o.now()
	for o.inflight < maxInFlight {
		e := o.nextDue(now)
		if e == nil {
			break
		}
		o.deliver(e)
	}
	o.armRetry(now)
}

// nextDue takes the due entry to deliver first, or nil.
func (o *Outbox) nextDue(now time.Time) *entry {
	for {
		r, h := o.ready.peek(), o.retries.peek()
		if h != nil && h.item.NextTry.After(now) {
			h = nil
		}
		var e *entry
		switch {
		case r == nil && h == nil:
			return nil
		case h == nil || (r != nil && before(r, h)):
			e = o.ready.pop()
		default:
			e = heap.Pop(&o.retries).(*entry)
		}
		e.queued = false
		if o.items[e.key()] == e && !e.item.Parked && !e.inflight {
			return e
		}
	}
}

// armRetry keeps one "retry" timer armed for the earliest NextTry still in
// the future. A due entry left waiting means every slot is taken: the next
// delivery result pumps again, no timer is needed.
func (o *Outbox) armRetry(now time.Time) {
	top := o.retries.peek()
	switch {
	case top == nil:
		o.timers.Cancel("retry")
		o.retryAt = time.Time{}
	case !top.item.NextTry.After(now):
	case !top.item.NextTry.Equal(o.retryAt) || !o.timers.Has("retry"):
		o.timers.After("retry", top.item.NextTry.Sub(now), retryTick{})
		o.retryAt = top.item.NextTry
	}
}

func (o *Outbox) retryDue() {
	o.retryAt = time.Time{}
	o.pump()
}

// sweep is the safety net: forget expired delivered keys, start what is due.
func (o *Outbox) sweep() {
	o.prune(o.now())
	o.pump()
}
