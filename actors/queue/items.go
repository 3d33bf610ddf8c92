package queue

import (
	"container/list"
	"strconv"
	"time"

	"go.uber.org/zap"

	"orchestrator/actors/store"
	"orchestrator/messages"
)

// plan collects what one message changes, so it is committed in one
// transaction and applied in memory only once stored.
type plan struct {
	seq     uint64
	changes []store.Change
	dead    []deadLetter // new dead letters, oldest first
	apply   []func()
}

func (q *Queue) newPlan() *plan { return &plan{seq: q.seq} }

// commit stores the plan (trimming the dead letters to their bound) and then
// applies it; on a failed commit nothing changes in memory and it says so.
func (q *Queue) commit(p *plan, what string) bool {
	drop := max(0, len(q.dead)+len(p.dead)-q.d.Cfg.MaxDeadLetters)
	for i := range drop {
		if i < len(q.dead) {
			p.changes = append(p.changes, del(q.dead[i].key))
		} else {
			p.changes = append(p.changes, del(p.dead[i-len(q.dead)].key))
		}
	}
	if p.seq != q.seq {
		p.changes = append(p.changes, store.Change{Key: seqKey, Value: []byte(strconv.FormatUint(p.seq, 10))})
	}
	if err := q.d.Bucket.Commit(0, p.changes...); err != nil {
		q.d.Log.Error("queue change not stored; not applied", zap.String("change", what), zap.Error(err))
		return false
	}
	q.seq = p.seq
	for _, f := range p.apply {
		f()
	}
	q.dead = append(q.dead, p.dead...)
	if drop > 0 {
		q.dead = q.dead[drop:]
		q.d.Log.Warn("oldest queue dead letters dropped over queue.max_dead_letters",
			zap.Int("dropped", drop), zap.Int("max_dead_letters", q.d.Cfg.MaxDeadLetters))
	}
	q.gauges()
	return true
}

// toDead plans moving a queued item to the dead letters with a reason.
func (q *Queue) toDead(p *plan, el *list.Element, it messages.QueueItem, reason string) {
	p.seq++
	it.LastReason = reason
	dl := deadLetter{key: deadPrefix + seqID(p.seq), item: it}
	p.changes = append(p.changes, put(dl.key, it), del(itemKey(it.ID)))
	p.dead = append(p.dead, dl)
	p.apply = append(p.apply, func() { q.unlink(el) })
}

// link appends an item at the tail.
func (q *Queue) link(it messages.QueueItem) {
	el := q.items.PushBack(&it)
	q.byID[it.ID] = el
	if it.Request.Lead.Phone != "" {
		q.byPhone[it.Request.Lead.Phone] = el
	}
}

// unlink removes an item; a drain positioned on it moves to the next one. An
// in-flight ref stays in flight until answered, so the batch still completes.
func (q *Queue) unlink(el *list.Element) {
	it := el.Value.(*messages.QueueItem)
	if q.next == el {
		q.next = el.Next()
	}
	q.items.Remove(el)
	delete(q.byID, it.ID)
	if q.byPhone[it.Request.Lead.Phone] == el {
		delete(q.byPhone, it.Request.Lead.Phone)
	}
}

// enqueue appends a refused-for-hours request, or refreshes the item already
// queued for its phone (newest lead facts, older position). Over
// queue.max_items the oldest items make room as dead letters.
func (q *Queue) enqueue(m messages.EnqueueDial, now time.Time) {
	req := m.Request
	req.FromQueue, req.Ref = false, ""
	p := q.newPlan()
	if el, ok := q.byPhone[req.Lead.Phone]; ok && req.Lead.Phone != "" {
		it := *el.Value.(*messages.QueueItem)
		it.Request = req
		p.changes = append(p.changes, put(itemKey(it.ID), it))
		p.apply = append(p.apply, func() { *el.Value.(*messages.QueueItem) = it })
		if q.commit(p, "refresh") {
			q.d.Log.Debug("phone already queued; lead facts refreshed, position kept", logItem(it)...)
		}
		return
	}
	for _, el := range q.victims(q.items.Len() + 1 - q.d.Cfg.MaxItems) {
		it := *el.Value.(*messages.QueueItem)
		q.toDead(p, el, it, "queue full")
		q.d.Log.Warn("queue full: oldest item moved to the dead letters",
			append(logItem(it), zap.Int("max_items", q.d.Cfg.MaxItems))...)
	}
	p.seq++
	it := messages.QueueItem{ID: seqID(p.seq), Request: req, EnqueuedAt: now.UTC()}
	p.changes = append(p.changes, put(itemKey(it.ID), it))
	p.apply = append(p.apply, func() { q.link(it) })
	if !q.commit(p, "enqueue") {
		q.d.Log.Error("queued dial lost: the state file refused it", logItem(it)...)
		return
	}
	q.d.Log.Debug("dial queued", append(logItem(it), zap.String("reason", m.Reason))...)
}

// victims picks the n oldest items to evict, preferring items not in flight
// (whose answer is still to come); only if too few remain does it take
// in-flight ones.
func (q *Queue) victims(n int) []*list.Element {
	var out []*list.Element
	for _, wantInFlight := range [...]bool{false, true} {
		for el := q.items.Front(); el != nil && len(out) < n; el = el.Next() {
			if _, in := q.inflight[el.Value.(*messages.QueueItem).ID]; in == wantInFlight {
				out = append(out, el)
			}
		}
	}
	return out
}

// clear removes every item (dead letters stay). In-flight refs stay until
// answered; their answers then find no item and are ignored.
func (q *Queue) clear() messages.QueueCleared {
	n := q.items.Len()
	if n == 0 {
		return messages.QueueCleared{}
	}
	p := q.newPlan()
	for el := q.items.Front(); el != nil; el = el.Next() {
		p.changes = append(p.changes, del(itemKey(el.Value.(*messages.QueueItem).ID)))
	}
	p.apply = append(p.apply, func() {
		q.items.Init()
		q.byID = map[string]*list.Element{}
		q.byPhone = map[messages.Phone]*list.Element{}
		q.next = nil
	})
	if !q.commit(p, "clear") {
		return messages.QueueCleared{}
	}
	q.d.Log.Info("queue cleared", zap.Int("removed", n))
	return messages.QueueCleared{Removed: n}
}

// snapshot lists items oldest first (Limit defaults to defaultLimit, at most
// maxLimit) and the newest dead letters first.
func (q *Queue) snapshot(m messages.GetQueue, now time.Time) messages.QueueSnapshot {
	limit := m.Limit
	if limit <= 0 {
		limit = defaultLimit
	}
	limit = min(limit, maxLimit)
	out := messages.QueueSnapshot{Items: []messages.QueueItem{}, Total: q.items.Len(),
		DeadLetters: []messages.QueueItem{}, NextDrain: q.nextDrain(now)}
	i := 0
	for el := q.items.Front(); el != nil && len(out.Items) < limit; el = el.Next() {
		if i >= m.Offset {
			out.Items = append(out.Items, *el.Value.(*messages.QueueItem))
		}
		i++
	}
	for j := len(q.dead) - 1; j >= 0 && len(out.DeadLetters) < listedDeadLetters; j-- {
		out.DeadLetters = append(out.DeadLetters, q.dead[j].item)
	}
	return out
}
