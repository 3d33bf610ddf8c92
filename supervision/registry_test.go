package supervision

import (
	"slices"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"go.uber.org/zap/zaptest"
)

// The small registry still does what protoactor's did: the entries made
// before the swap resolve, named actors are found and answer, and a
// message to a stopped actor goes to dead letters.
func TestSmallRegistryResolvesEveryActor(t *testing.T) {
	var made []string // what protoactor itself registers: all must be carried over
	for _, bucket := range actor.NewActorSystem().ProcessRegistry.LocalPIDs.LocalPIDs {
		made = append(made, bucket.Keys()...)
	}
	slices.Sort(made)
	if want := slices.Sorted(slices.Values(builtIns)); !slices.Equal(made, want) {
		t.Fatalf("NewActorSystem registers %q; shrinkRegistry carries over %q", made, want)
	}
	system := NewSystem(zaptest.NewLogger(t))
	if n := len(system.ProcessRegistry.LocalPIDs.LocalPIDs); n != registryBuckets {
		t.Fatalf("%d registry buckets, want %d", n, registryBuckets)
	}
	for _, id := range []string{"eventstream", "deadletter"} {
		if _, ok := system.ProcessRegistry.GetLocal(id); !ok {
			t.Errorf("%q, registered by NewActorSystem, is not found after the swap", id)
		}
	}
	dead := make(chan struct{}, 8)
	sub := system.EventStream.Subscribe(func(e interface{}) {
		if _, ok := e.(*actor.DeadLetterEvent); ok {
			dead <- struct{}{}
		}
	})
	defer system.EventStream.Unsubscribe(sub)

	echo := actor.PropsFromFunc(func(c actor.Context) {
		if s, ok := c.Message().(string); ok {
			c.Respond(s)
		}
	})
	var pids []*actor.PID
	for _, name := range []string{"calls", "crm", "journal", "gateway", "stats"} {
		pid, err := system.Root.SpawnNamed(echo, name)
		if err != nil {
			t.Fatal(err)
		}
		pids = append(pids, pid)
	}
	for _, pid := range pids {
		// A fresh PID has no cached process: it is looked up by id.
		got, err := system.Root.RequestFuture(actor.NewPID(pid.Address, pid.Id), pid.Id, 5*time.Second).Result()
		if err != nil || got != pid.Id {
			t.Errorf("%s answered %v, %v; want its id", pid.Id, got, err)
		}
	}
	if err := system.Root.StopFuture(pids[0]).Wait(); err != nil {
		t.Fatal(err)
	}
	system.Root.Send(actor.NewPID(pids[0].Address, pids[0].Id), "hello?")
	select {
	case <-dead:
	case <-time.After(5 * time.Second):
		t.Fatal("a message to a stopped actor did not reach dead letters")
	}
	for _, pid := range pids[1:] {
		_ = system.Root.StopFuture(pid).Wait()
	}
}
