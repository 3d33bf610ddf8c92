package supervision

import (
	"slices"
	"testing"
	"time"
)

// OnReady runs once, after every service has handled Started (main then
// hands back the state file's pages the start-up loads paged in).
func TestOnReadyRunsOnceAfterEveryServiceStarted(t *testing.T) {
	names := []string{"a", "b", "c"}
	f := startTree(t, newTestLogger(t), names, testSupervision(), nil)
	var seen []string
	select {
	case seen = <-f.ready:
	case <-time.After(10 * time.Second):
		t.Fatal("OnReady was not called")
	}
	for _, n := range names {
		if !slices.Contains(seen, n+":started") {
			t.Errorf("OnReady ran before %s started: %v", n, seen)
		}
	}
	f.stop(t)
	select {
	case again := <-f.ready:
		t.Errorf("OnReady called twice (second time after %v)", again)
	default:
	}
}
