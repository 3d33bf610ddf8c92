package supervision

import (
	"runtime"
	"testing"
	"time"

	"go.uber.org/goleak"
	"go.uber.org/zap"
)

// TestThousandStartStopCyclesLeakNothing starts and stops a whole tree of
// services, each with a live timer, 1 000 times in one process: goroutines
// must return to the baseline and the heap must not grow with the cycles.
func TestThousandStartStopCyclesLeakNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("1 000 cycles")
	}
	heapAfter := func() uint64 {
		runtime.GC()
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	cycle := func() {
		f := startTree(t, zap.NewNop(), sixServices, testSupervision(), func(p *probe) { p.every = 10 * time.Millisecond })
		f.system.Root.Send(f.pid("stats"), work{})
		f.stop(t)
	}
	baseline := goleak.IgnoreCurrent() // taken before any cycle runs
	for range 10 {                     // warm up lazily built library state
		cycle()
	}
	first := heapAfter()
	for range 1000 {
		cycle()
	}
	last := heapAfter()
	goleak.VerifyNone(t, baseline,
		goleak.IgnoreTopFunction("github.com/asynkron/protoactor-go/actor.NewDeadLetter.NewThrottle.func4.1"))
	const bound = 2 << 20
	if last > first+bound {
		t.Fatalf("heap grew from %d to %d bytes over 1 000 cycles (bound %d)", first, last, bound)
	}
	t.Logf("heap after warm-up %d B, after 1 000 more cycles %d B", first, last)
}
