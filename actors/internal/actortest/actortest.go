// Package actortest holds what the actors' tests share: an actor system that
// counts its dead letters, New York wall times, fake-time steps and the state
// file. Only tests import it.
package actortest

import (
	"path/filepath"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"go.uber.org/zap"

	"orchestrator/actors/store"
	"orchestrator/supervision"
)

// System is a fresh actor system logging to log, and the number of dead
// letters it has seen: a stopped actor's timer that still fires shows there.
func System(log *zap.Logger) (*actor.ActorSystem, *atomic.Int64) {
	system, dead := supervision.NewSystem(log), &atomic.Int64{}
	system.EventStream.Subscribe(func(e any) {
		if _, ok := e.(*actor.DeadLetterEvent); ok {
			dead.Add(1)
		}
	})
	return system, dead
}

// NewYork is the business zone of the default config.
var NewYork = func() *time.Location {
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		panic(err)
	}
	return loc
}()

// NY is a New York wall time.
func NY(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, NewYork)
}

// SleepUntil advances fake time (inside a synctest bubble) to at and lets
// every actor settle.
func SleepUntil(at time.Time) {
	time.Sleep(time.Until(at))
	synctest.Wait()
}

// OpenStore opens a state file in a fresh temporary folder; the caller
// closes it (tests reopen the same path to simulate a restart).
func OpenStore(t testing.TB) (*store.Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "state.db")
	s, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	return s, path
}

// OpenBucket is the named bucket of a fresh state file, closed when the
// test ends.
func OpenBucket(t testing.TB, name string) *store.Bucket {
	t.Helper()
	s, _ := OpenStore(t)
	t.Cleanup(func() { _ = s.Close() })
	return s.Bucket(name)
}

// Keys lists a bucket's record keys, in order.
func Keys(t testing.TB, b *store.Bucket) []string {
	t.Helper()
	var out []string
	if err := b.Load(func(k, _ []byte) error { out = append(out, string(k)); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

// AwaitStarted returns once pid's actor has run its Started: a Touch is
// answered only after it. A service that asks a fake sibling in its own
// Started (a resend from the calls actor) is spawned after this.
func AwaitStarted(t testing.TB, system *actor.ActorSystem, pid *actor.PID) {
	t.Helper()
	if _, err := system.Root.RequestFuture(pid, &actor.Touch{}, 10*time.Second).Result(); err != nil {
		t.Fatalf("%s did not start: %v", pid.Id, err)
	}
}
