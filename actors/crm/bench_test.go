package crm

import (
	"context"
	"encoding/json"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"orchestrator/actors/convoso"
	"orchestrator/config"
	"orchestrator/messages"
)

// transcript2K is a call transcript of the size the webhook load carries.
var transcript2K = strings.Repeat("agent: is now a good time? user: yes, go on. ", 50)[:2048]

func completion(i int, transcript string) messages.CallCompleted {
	id := strconv.Itoa(i)
	return messages.CallCompleted{Seq: uint64(i + 1), CallID: "c-" + id, LeadID: "L-" + id,
		ListID: "77", Phone: "+15555550123", Outcome: messages.OutcomeVoicemail, DurationS: 61,
		AnsweredBy: "voicemail", Summary: "left a voicemail", Transcript: transcript}
}

// BenchmarkUpdate is the outbox's cost per update under a steady load, the
// webhook benchmark's shape: CallCompleted with a 2 KB transcript, at most
// window of them not yet delivered, through enqueue, commit, delivery to a
// CRM that accepts at once, and the commit recording the delivery (the
// final one at stop). Every goroutine's allocations count (the actor
// system's, bbolt's, and two id strings per message made here), and so
// does every goroutine's CPU time (cpu-ns/op): the wall time mostly waits
// for fsyncs.
func BenchmarkUpdate(b *testing.B) {
	const window = 1024
	s := openStore(b)
	delivered := make(chan struct{}, window)
	crm := &fakeCRM{update: func(context.Context, convoso.LeadUpdate) error {
		delivered <- struct{}{}
		return nil
	}}
	r := start(b, Deps{Bucket: s.Bucket("crm"), Client: crm, Cfg: config.Default().CRM})
	r.outbox(b, false) // started
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime(b)
	for i := range b.N {
		if i >= window {
			<-delivered
		}
		r.system.Root.Send(r.pid, completion(i, transcript2K))
	}
	for range min(b.N, window) {
		<-delivered
	}
	r.settle(b)
	r.stop(b)
	b.StopTimer()
	b.ReportMetric(float64(cpuTime(b)-cpu0)/float64(b.N), "cpu-ns/op")
	if got := r.count(resultDelivered); got != float64(b.N) {
		b.Fatalf("delivered %v, want %d", got, b.N)
	}
}

// BenchmarkItemCodec writes and reads back one stored item with a 2 KB
// transcript, as JSON (earlier versions) and as stored now.
func BenchmarkItemCodec(b *testing.B) {
	it := sampleItems()[0]
	b.Run("json", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			raw, _ := json.Marshal(it)
			if _, err := decodeItem(raw, false); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("binary", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			if _, err := decodeItem(encodeItem(it), false); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkCallCompletedIntake replays the load test that filled the
// mailbox: a burst of CallCompleted, each with its own 2 KB transcript, into
// an outbox whose CRM accepts at once. It reports the time per message until
// all are delivered and recorded, and the heap in use once they are (live
// state: mostly the delivered keys kept for idempotency). The peak heap is
// not reported: it is the burst itself, waiting in the mailbox.
func BenchmarkCallCompletedIntake(b *testing.B) {
	const n = 100_000
	var elapsed time.Duration
	var after uint64
	for range b.N {
		s := openStore(b)
		var calls atomic.Int64
		all := make(chan struct{})
		crm := &fakeCRM{update: func(context.Context, convoso.LeadUpdate) error {
			if calls.Add(1) == n {
				close(all)
			}
			return nil
		}}
		r := start(b, Deps{Bucket: s.Bucket("crm"), Client: crm, Cfg: config.Default().CRM})
		t0 := time.Now()
		for i := range n {
			r.system.Root.Send(r.pid, completion(i, strings.Clone(transcript2K)))
		}
		<-all
		r.settle(b)
		elapsed += time.Since(t0)
		after = max(after, heapInUse())
		r.stop(b)
	}
	b.ReportMetric(float64(elapsed.Nanoseconds())/float64(b.N*n), "ns/msg")
	b.ReportMetric(float64(after)/(1<<20), "MiB-heap-after")
}

// settle waits, once the CRM has received every update, until the outbox
// has taken their results in: each look is a round trip through the
// mailbox, behind at most maxInFlight results still on their way.
func (r *rig) settle(b *testing.B) {
	for r.outbox(b, false).Pending != 0 {
	}
}

// cpuTime is the CPU time the process has used, every thread's.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// heapInUse is the heap in use after a full collection.
func heapInUse() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}
