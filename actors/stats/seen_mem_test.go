package stats

import (
	"fmt"
	"runtime"
	"testing"
)

// seenBytesPerID is the heap a seen-set holds (live) and allocated in all
// (total, with the tables outgrown) per id after n distinct ids; the ids'
// strings are made, and kept, before the first reading.
func seenBytesPerID(n int) (live, total float64) {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("call-%08x-%04x", i, i%977)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	s := newSeenSet()
	for i, id := range ids {
		s.add(id, "2026-11-02", uint64(i+1))
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(ids)
	runtime.KeepAlive(&s)
	return float64(after.HeapAlloc-before.HeapAlloc) / float64(n),
		float64(after.TotalAlloc-before.TotalAlloc) / float64(n)
}

// BenchmarkSeenSetBytesPerID reports the heap per id of a set of 100 000 ids.
func BenchmarkSeenSetBytesPerID(b *testing.B) {
	var live, total float64
	for b.Loop() {
		live, total = seenBytesPerID(100_000)
	}
	b.ReportMetric(live, "live-B/id")
	b.ReportMetric(total, "alloc-B/id")
}
