package journal

import (
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"go.uber.org/zap/zaptest"

	"orchestrator/messages"
)

// reader is a subscriber that reads only when told to, as a service
// falling behind would.
type reader struct {
	journal  *actor.PID
	advanced chan uint64
	batches  chan messages.JournalBatch
}

func (r *reader) Receive(c actor.Context) {
	switch m := c.Message().(type) {
	case messages.JournalAdvanced:
		r.advanced <- m.Durable
	case messages.ReplayJournal: // from the test: read this
		c.Request(r.journal, m)
	case messages.JournalBatch:
		r.batches <- m
	}
}

// The lag an operator watches: durable records a subscriber has not been
// handed yet, from the ring and from disk, paged or not, and not moved by
// a resend's reads of old history.
func TestReaderLagIsWhatASubscriberHasNotBeenHanded(t *testing.T) {
	cfg := testJournalConfig()
	cfg.RecentMax = 2 // reads from before the last two records come from disk
	h := startJournalWith(t, zaptest.NewLogger(t), t.TempDir(), cfg)
	defer h.stop(t)
	r := &reader{journal: h.pid, advanced: make(chan uint64, 16), batches: make(chan messages.JournalBatch, 16)}
	pid := h.system.Root.Spawn(actor.PropsFromProducer(func() actor.Actor { return r }))
	defer func() { _ = h.system.Root.StopFuture(pid).Wait() }()
	h.system.Root.Send(h.pid, messages.SubscribeJournal{Subscriber: pid})
	wait := func(durable uint64) {
		t.Helper()
		for got := range r.advanced {
			if got == durable {
				return
			}
		}
	}
	wait(0)
	if n := testutil.CollectAndCount(h.metrics.lag); n != 0 {
		t.Fatalf("%d lag series before the subscriber read anything, want none (its place is unknown)", n)
	}
	read := func(m messages.ReplayJournal) messages.JournalBatch {
		t.Helper()
		h.system.Root.Send(pid, m)
		select {
		case b := <-r.batches:
			return b
		case <-time.After(10 * time.Second):
			t.Fatal("no answer to the read")
			return messages.JournalBatch{}
		}
	}
	lag := func() float64 { return testutil.ToFloat64(h.metrics.lag.WithLabelValues(pid.Id)) }

	for i := range 5 {
		h.append(t, completionAppend(i))
	}
	wait(5)
	steps := []struct {
		name    string
		read    messages.ReplayJournal
		records int
		want    float64
	}{
		{"paged from disk", messages.ReplayJournal{After: 0, Limit: 2}, 2, 3},
		{"the rest from disk", messages.ReplayJournal{After: 2}, 3, 0},
	}
	for _, s := range steps {
		if b := read(s.read); len(b.Records) != s.records || b.Err != "" {
			t.Fatalf("%s: %d records (err %q), want %d", s.name, len(b.Records), b.Err, s.records)
		}
		if got := lag(); got != s.want {
			t.Errorf("%s: lag %v, want %v", s.name, got, s.want)
		}
	}

	h.append(t, completionAppend(5))
	h.append(t, completionAppend(6))
	wait(7)
	if got := lag(); got != 2 {
		t.Errorf("two appends the subscriber has not read: lag %v, want 2", got)
	}
	if b := read(messages.ReplayJournal{After: 0, Ref: "resend"}); len(b.Records) != 7 {
		t.Fatalf("a resend's read: %d records, want 7", len(b.Records))
	}
	if got := lag(); got != 2 {
		t.Errorf("after a resend read old history: lag %v, want still 2 (it says nothing of the intake's place)", got)
	}
	if b := read(messages.ReplayJournal{After: 5}); len(b.Records) != 2 {
		t.Fatalf("from the ring: %d records, want 2", len(b.Records))
	}
	if got := lag(); got != 0 {
		t.Errorf("after reading from the ring: lag %v, want 0", got)
	}
}
