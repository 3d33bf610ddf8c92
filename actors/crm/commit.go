package crm

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"go.uber.org/zap"

	"orchestrator/actors/store"
	"orchestrator/messages"
	"orchestrator/supervision"
)

const (
	// maxStaged bounds the changes waiting for the next commit: past it the
	// actor waits for the commit in flight and starts the next at once, so
	// a disk slower than the mailbox cannot pile up uncommitted transcripts.
	maxStaged = 1024
	// flushRetry is the wait before a failed commit is tried again.
	flushRetry = time.Second
)

// batch is one group commit: the changes of every message handled since the
// previous commit started, written in one transaction (one fsync).
type batch struct {
	changes map[string]store.Change // by store key: a later change of a key replaces the earlier
	fresh   []*entry                // entries created in this batch
	waiters []waiter                // requesters answered when it is committed
	seq     uint64                  // the highest CallCompleted.Seq handled since the previous batch
}

// waiter is a CRMUpdate requester, answered once its item is durable.
type waiter struct {
	asker *actor.PID
	e     *entry
}

// writing is the commit in flight; its goroutine puts the result in done.
type writing struct {
	batch batch
	done  chan error
}

func newBatch() batch { return batch{changes: map[string]store.Change{}} }

func (b *batch) empty() bool { return len(b.changes) == 0 && len(b.waiters) == 0 }

// stage adds changes to the next commit. Leader/follower, as the journal
// (DESIGN §4): with no commit in flight, the first change sends a flushNow,
// which comes out of the mailbox after the backlog already in it; with one
// in flight, the next starts as soon as it returns, with everything staged
// meanwhile. So batches grow with the load, and the mailbox waits for an
// fsync only when maxStaged changes pile up behind a slow disk.
func (o *Outbox) stage(changes ...store.Change) {
	for _, c := range changes {
		o.batch.changes[c.Key] = c
	}
	switch {
	case o.failing:
		// the "flush" timer tries again
	case len(o.batch.changes) >= maxStaged:
		o.awaitCommit()
		o.startCommit()
	case o.writing == nil && !o.flushQueued:
		o.flushQueued = true
		o.send(o.self, flushNow{owner: o})
	}
}

// wait answers asker when the commit that makes e durable is done.
func (o *Outbox) wait(asker *actor.PID, e *entry) {
	o.batch.waiters = append(o.batch.waiters, waiter{asker: asker, e: e})
}

// flushStaged handles our own flushNow: the backlog before it is staged.
func (o *Outbox) flushStaged(m flushNow) {
	if m.owner != o {
		return // from an earlier incarnation, which committed when it stopped
	}
	o.flushQueued = false
	if !o.failing {
		o.startCommit()
	}
}

// retryFlush tries a failed commit again.
func (o *Outbox) retryFlush() {
	o.startCommit()
}

// startCommit hands the staged batch to a goroutine that commits it,
// recording the highest completion handled so far as applied. One commit
// runs at a time, so applied only moves forward.
func (o *Outbox) startCommit() {
	if o.writing != nil || o.batch.empty() {
		return
	}
	w := &writing{batch: o.batch, done: make(chan error, 1)}
	o.batch, o.writing = newBatch(), w
	changes, applied := w.batch.sorted(), w.batch.applied()
	bucket, done, send, self := o.d.Bucket, w.done, o.send, o.self
	o.wg.Add(1)
	go func() {
		defer o.wg.Done()
		done <- commit(bucket, applied, changes)
		send(self, committed{owner: o, w: w})
	}()
}

// committed takes the result of a commit, starts the next with what was
// staged meanwhile, and starts the deliveries the commit allows.
func (o *Outbox) committed(m committed) {
	if m.owner != o || m.w != o.writing {
		return // an earlier incarnation's, or already awaited
	}
	o.awaitCommit()
	if !o.failing {
		o.startCommit()
	}
	o.pump()
}

// awaitCommit waits for the commit in flight, if any, and applies its result.
func (o *Outbox) awaitCommit() {
	w := o.writing
	if w == nil {
		return
	}
	err := <-w.done
	o.writing = nil
	if err != nil {
		o.commitFailed(w.batch, err)
		return
	}
	if o.failing {
		o.failing = false
		if !o.stopping {
			o.timers.Cancel("flush")
		}
		o.d.Log.Info("crm outbox stored again")
	}
	for _, wt := range w.batch.waiters {
		o.send(wt.asker, o.full(wt.e)) // before this batch's updates are dropped from memory
	}
	for _, e := range w.batch.fresh {
		o.madeDurable(e)
	}
}

// madeDurable schedules a committed entry if it was waiting for the commit,
// and keeps its update in memory for the delivery if it is queued and
// fewer than maxKept are kept; otherwise it keeps only its key.
func (o *Outbox) madeDurable(e *entry) {
	if o.items[e.key()] != e {
		return // delivered before its commit (queued while the store was failing)
	}
	e.durable = true
	switch {
	case e.waited:
		e.waited = false
		o.d.Metrics.count(resultQueued)
		o.schedule(e)
	case e.held:
		e.held = false
		o.schedule(e)
	}
	if e.queued && o.kept < maxKept {
		o.kept++
		return
	}
	e.light = true
	e.item.Update = messages.CRMUpdate{Key: e.key()}
}

// lighten drops the update of a durable entry from memory, keeping its key.
func (o *Outbox) lighten(e *entry) {
	if !e.durable || e.light {
		return
	}
	o.kept--
	e.light = true
	e.item.Update = messages.CRMUpdate{Key: e.key()}
}

// commitFailed answers every waiting requester with Failed and forgets the
// items they queued, so none of them is delivered without being stored. The
// batch's other changes (items from completed calls, delivery results) go
// back into the staged batch, under any newer change of the same key, and
// are tried again after flushRetry: dropping them would lose updates.
func (o *Outbox) commitFailed(b batch, err error) {
	reason := fmt.Errorf("%w: not stored: %v", errNotQueued, err).Error()
	fail := func(w waiter) { o.send(w.asker, messages.Failed{Actor: supervision.CRM, Reason: reason}) }
	for _, w := range b.waiters {
		fail(w)
	}
	undone := 0
	for _, e := range b.fresh {
		if !e.waited {
			o.batch.fresh = append(o.batch.fresh, e)
			continue
		}
		delete(o.items, e.key())
		delete(b.changes, itemPrefix+e.key())
		o.d.Metrics.count(resultStoreFailed)
		undone++
	}
	for k, c := range b.changes {
		if _, newer := o.batch.changes[k]; !newer {
			o.batch.changes[k] = c
		}
	}
	o.batch.seq = max(o.batch.seq, b.seq)
	waiting := o.batch.waiters[:0]
	for _, w := range o.batch.waiters { // asked again for an update just undone
		if w.e.waited && o.items[w.e.key()] != w.e {
			fail(w)
			continue
		}
		waiting = append(waiting, w)
	}
	clear(o.batch.waiters[len(waiting):])
	o.batch.waiters = waiting
	o.failing = true
	o.gauge()
	o.d.Log.Error("crm outbox changes not stored; will retry", zap.Int("changes", len(o.batch.changes)),
		zap.Int("refused", undone), zap.Error(err))
	if !o.stopping {
		o.timers.After("flush", flushRetry, flushTick{})
	}
}

// applied is the journal sequence the batch records as applied: the highest
// completion handled up to it. Only completions count, as the calls actor
// resends only them: a CRMUpdate's sequence (an SMS reply's) could pass a
// completion not yet received.
func (b *batch) applied() uint64 { return b.seq }

// sorted lists the changes in key order, which bbolt writes fastest.
func (b *batch) sorted() []store.Change {
	keys := slices.Sorted(maps.Keys(b.changes))
	out := make([]store.Change, len(keys))
	for i, k := range keys {
		out[i] = b.changes[k]
	}
	return out
}
