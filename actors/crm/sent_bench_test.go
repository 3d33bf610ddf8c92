package crm

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"orchestrator/actors/store"
	"orchestrator/config"
)

// keysPerBench is the delivered keys remembered in BenchmarkDeliveredKeys:
// crm.max_items' default, the most an outbox remembers.
const keysPerBench = 100_000

// deliveredKey is a key as fromCall makes it, with a provider's call id (a UUID).
func deliveredKey(i int) string {
	return fmt.Sprintf("call:%08x-4b1d-4c2a-9e3f-%012x", i, i*7919)
}

// idleOutbox is an outbox built outside an actor, loaded from bucket, for
// calling its handlers alone: it starts no delivery and sends nothing.
// hash, if not nil, hashes its delivered keys.
func idleOutbox(tb testing.TB, bucket *store.Bucket, hash func(string) uint64) *Outbox {
	tb.Helper()
	cfg := config.Default().CRM
	cfg.MaxItems = 1 << 30
	d := Deps{Log: zap.NewNop(), Cfg: cfg, Bucket: bucket, Metrics: NewMetrics(prometheus.NewRegistry()), hash: hash}
	o := Producer(d)().(*Outbox)
	o.send = func(*actor.PID, interface{}) {}
	o.batch = newBatch()
	o.stopping = true
	if err := o.load(); err != nil {
		tb.Fatal(err)
	}
	return o
}

// BenchmarkDeliveredKeys measures the delivered keys an outbox remembers:
// the heap they retain (B/key, after a full collection, for keysPerBench
// keys loaded from the store), and the cost of enqueueing an update whose
// key was delivered (a duplicate) and one whose key is new.
func BenchmarkDeliveredKeys(b *testing.B) {
	s := openStore(b)
	seedDelivered(b, s.Bucket("crm"), keysPerBench, time.Now().Add(-time.Hour))
	b.Run("heap", func(b *testing.B) {
		for range b.N {
			before := heapInUse()
			o := idleOutbox(b, s.Bucket("crm"), nil)
			after := heapInUse()
			b.ReportMetric(float64(after-before)/keysPerBench, "B/key")
			runtime.KeepAlive(o)
		}
	})
	b.Run("duplicate", func(b *testing.B) {
		o := idleOutbox(b, s.Bucket("crm"), nil)
		keys := make([]string, keysPerBench)
		for i := range keys {
			keys[i] = deliveredKey(i)
		}
		b.ReportAllocs()
		b.ResetTimer()
		for i := range b.N {
			u := update(keys[i%keysPerBench], "L")
			if ack, err := o.enqueue(u, nil); ack == nil || err != nil {
				b.Fatalf("%s: not a duplicate: %v, %v", u.Key, ack, err)
			}
		}
	})
	b.Run("new", func(b *testing.B) {
		o := idleOutbox(b, s.Bucket("crm"), nil)
		keys := make([]string, 512)
		b.ReportAllocs()
		b.ResetTimer()
		for i := range b.N {
			if i%len(keys) == 0 { // under maxStaged: no commit starts
				b.StopTimer()
				o.items, o.batch = map[string]*entry{}, newBatch()
				for j := range keys {
					keys[j] = deliveredKey(keysPerBench + i + j)
				}
				b.StartTimer()
			}
			u := update(keys[i%len(keys)], "L")
			if ack, err := o.enqueue(u, nil); ack != nil || err != nil {
				b.Fatalf("%s: not queued: %v, %v", u.Key, ack, err)
			}
		}
	})
}

// seedDelivered stores n delivered keys (deliveredKey), delivered a
// nanosecond apart from at, as the outbox stores them.
func seedDelivered(tb testing.TB, b *store.Bucket, n int, at time.Time) {
	tb.Helper()
	var changes []store.Change
	for i := range n {
		changes = append(changes, putSent(at.Add(time.Duration(i)).UnixNano(), deliveredKey(i)))
		if len(changes) == 10_000 || i == n-1 {
			if err := b.Commit(0, changes...); err != nil {
				tb.Fatal(err)
			}
			changes = changes[:0]
		}
	}
}
