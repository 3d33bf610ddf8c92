package crm

import (
	"container/heap"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"orchestrator/messages"
)

func TestNextDueTakesTheEarliestOfBothQueues(t *testing.T) {
	now := time.Date(2030, 1, 1, 9, 0, 0, 0, time.UTC)
	o := &Outbox{items: map[string]*entry{}}
	add := func(key string, created, next time.Duration) *entry {
		e := &entry{item: messages.CRMOutboxItem{Update: messages.CRMUpdate{Key: key},
			CreatedAt: now.Add(created), NextTry: now.Add(next)}, queued: true}
		o.items[key] = e
		return e
	}
	for _, e := range []*entry{add("r1", -time.Hour, -2*time.Minute), add("r2", -time.Hour, time.Minute),
		add("r3", -time.Hour, -30*time.Second)} {
		heap.Push(&o.retries, e)
	}
	o.ready.push(add("n1", -time.Minute, -time.Minute))
	o.ready.push(add("n2", 0, 0))
	stale := add("gone", -2*time.Hour, -2*time.Hour) // delivered meanwhile: skipped
	delete(o.items, "gone")
	heap.Push(&o.retries, stale)

	var got []string
	for e := o.nextDue(now); e != nil; e = o.nextDue(now) {
		got = append(got, e.key())
	}
	if want := []string{"r1", "n1", "r3", "n2"}; !cmp.Equal(got, want) {
		t.Errorf("order %v, want %v (r2 is not due)", got, want)
	}
	if o.retries.Len() != 1 || o.retries.peek().key() != "r2" {
		t.Errorf("retries left: %d", o.retries.Len())
	}
}

func TestFIFOKeepsOrderAcrossCompaction(t *testing.T) {
	var q fifo
	var got, want []string
	next := 0
	push := func(k int) {
		for range k {
			key := fmt.Sprint(next)
			q.push(&entry{item: messages.CRMOutboxItem{Update: messages.CRMUpdate{Key: key}}})
			want = append(want, key)
			next++
		}
	}
	pop := func(k int) {
		for range k {
			got = append(got, q.pop().key())
		}
	}
	push(3000)
	pop(2500) // compacts past 1024 popped
	push(10)
	pop(q.len()) // empties: a large array is released
	push(5000)
	pop(q.len())
	if !cmp.Equal(got, want) {
		t.Errorf("popped %d in another order than pushed", len(got))
	}
	if q.peek() != nil || q.buf != nil {
		t.Errorf("empty queue keeps %d slots", cap(q.buf))
	}
}
