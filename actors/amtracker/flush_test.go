package amtracker

import (
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"orchestrator/config"
	"orchestrator/messages"
)

func TestCountsReachTheStoreInOneBatchWithTheirSequence(t *testing.T) {
	b := openBucket(t)
	synctest.Test(t, func(t *testing.T) {
		r := start(t, config.Default().AMTracker, b, nil)
		var batch []messages.CallCompleted
		for i := range 300 {
			c := call(fmt.Sprintf("c%d", i), fmt.Sprintf("L%d", i), messages.Phone(fmt.Sprintf("+1555555%04d", i)), vm, time.Time{})
			c.Seq = uint64(i + 1)
			batch = append(batch, c)
		}
		r.send(batch...)
		if got := r.check(t, messages.CheckAMCap{LeadID: "L299"}); got.Count != 1 {
			t.Fatalf("count before the flush = %d, want 1 (counts apply at once)", got.Count)
		}
		if k := keys(t, b); len(k) != 0 {
			t.Fatalf("%d pairs stored before the flush timer, want none yet", len(k))
		}
		time.Sleep(flushEvery)
		synctest.Wait()
		if k := keys(t, b); len(k) != 300 {
			t.Fatalf("%d pairs stored after the flush, want 300", len(k))
		}
		if applied, err := b.Applied(); err != nil || applied != 300 {
			t.Fatalf("applied = %d, %v; want 300", applied, err)
		}
		// A count staged when the tracker stops is stored by the stop.
		last := call("late", "L-late", "+15555559999", na, time.Time{})
		last.Seq = 301
		r.send(last)
		r.stop(t)
		if k := keys(t, b); len(k) != 301 {
			t.Fatalf("%d pairs stored after stop, want 301", len(k))
		}
		time.Sleep(24 * time.Hour)
		synctest.Wait()
		if n := r.dead.Load(); n != 0 {
			t.Fatalf("%d dead letters after stop", n)
		}
	})
}

func TestAPairWithThousandsOfCallsStoresABoundedRecordAndKeepsItsCount(t *testing.T) {
	s, path := openStore(t)
	r := start(t, config.Default().AMTracker, s.Bucket("amtracker"), fixed(wednesday))
	r.send(calls("c", 1000, "L1", p1, vm, wednesday)...)
	if got := r.check(t, messages.CheckAMCap{LeadID: "L1"}); got.Count != 1000 {
		t.Fatalf("count = %d, want 1000", got.Count)
	}
	r.stop(t)
	raw, err := s.Bucket("amtracker").Get(pairKey(wednesday.Format(time.DateOnly), "L1", p1))
	if err != nil || len(raw) > 64*8+200 {
		t.Fatalf("stored pair is %d bytes (%v), want a bounded record", len(raw), err)
	}
	_ = s.Close()
	s2 := reopen(t, path)
	r = start(t, config.Default().AMTracker, s2.Bucket("amtracker"), fixed(wednesday))
	defer r.stop(t)
	r.send(calls("c", 10, "L1", p1, vm, wednesday)...) // ids it stored: not counted again
	if got := r.check(t, messages.CheckAMCap{LeadID: "L1"}); got.Count != 1000 {
		t.Fatalf("count after a restart and 10 repeats = %d, want 1000", got.Count)
	}
}
