package crm

import (
	"context"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"orchestrator/actors/convoso"
	"orchestrator/config"
	"orchestrator/messages"
)

// BenchmarkCallCompletedIntake replays the load test that filled the
// mailbox: a burst of CallCompleted, each with its own 2 KB transcript, into
// an outbox whose CRM accepts at once. It reports the time per message until
// all are delivered and recorded, and the heap in use once they are (live
// state: mostly the delivered keys kept for idempotency). The peak heap is
// not reported: it is the burst itself, waiting in the mailbox.
func BenchmarkCallCompletedIntake(b *testing.B) {
	const n = 100_000
	transcript := strings.Repeat("agent: is now a good time? user: yes, go on. ", 50)[:2048]
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
			id := strconv.Itoa(i)
			r.system.Root.Send(r.pid, messages.CallCompleted{Seq: uint64(i + 1), CallID: "c-" + id, LeadID: "L-" + id,
				ListID: "77", Phone: "+15555550123", Outcome: messages.OutcomeVoicemail, DurationS: 61,
				Summary: "left a voicemail", Transcript: strings.Clone(transcript)})
		}
		<-all
		for r.count(resultDelivered) != n || r.outbox(b, false).Pending != 0 {
			time.Sleep(time.Millisecond) // the last results are still being recorded
		}
		elapsed += time.Since(t0)
		after = max(after, heapInUse())
		r.stop(b)
	}
	b.ReportMetric(float64(elapsed.Nanoseconds())/float64(b.N*n), "ns/msg")
	b.ReportMetric(float64(after)/(1<<20), "MiB-heap-after")
}

// heapInUse is the heap in use after a full collection.
func heapInUse() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}
