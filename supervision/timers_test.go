package supervision

import (
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"go.uber.org/zap"
)

// deadLetters counts dead-letter events on a system.
func deadLetters(system *actor.ActorSystem) *atomic.Int64 {
	var n atomic.Int64
	system.EventStream.Subscribe(func(evt interface{}) {
		if _, ok := evt.(*actor.DeadLetterEvent); ok {
			n.Add(1)
		}
	})
	return &n
}

// startSweeper runs one service with a 30-minute timer and counts dead letters.
func startSweeper(t *testing.T) (*fixture, *probe, *atomic.Int64) {
	f := startTree(t, zap.NewNop(), []string{"sweeper"}, testSupervision(), func(p *probe) { p.every = 30 * time.Minute })
	return f, f.probes["sweeper"], deadLetters(f.system)
}

func TestEveryTicksOnScheduleAndNothingOutlivesTheActor(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f, p, dead := startSweeper(t)

		time.Sleep(24 * time.Hour)
		synctest.Wait()
		if got := p.ticks.Load(); got != 48 {
			t.Fatalf("a 30-minute timer ticked %d times in 24 fake hours, want 48", got)
		}
		if got := gaugeValue(t, f, "orchestrator_actor_timers_active", "root/sweeper"); got != 1 {
			t.Fatalf("timers_active{root/sweeper} = %v, want 1", got)
		}
		timers := f.timersOf(t, "root/sweeper")

		f.stop(t)
		time.Sleep(24 * time.Hour)
		synctest.Wait()
		if got := p.ticks.Load(); got != 48 {
			t.Errorf("ticks after stop: %d, want still 48", got-48)
		}
		if got := dead.Load(); got != 0 {
			t.Errorf("%d dead letters in the day after stop, want 0", got)
		}
		if got := timers.Active(); got != 0 {
			t.Errorf("Active() = %d after stop, want 0", got)
		}
	})
}

func TestRestartDoesNotDoubleTheTickRate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f, p, dead := startSweeper(t)
		time.Sleep(24 * time.Hour)
		synctest.Wait()

		f.system.Root.Send(f.pid("sweeper"), boom{}) // forced restart; Started arms the timer again
		synctest.Wait()
		time.Sleep(time.Second) // past the restart backoff
		synctest.Wait()
		before := p.ticks.Load()
		time.Sleep(24 * time.Hour)
		synctest.Wait()
		if got := p.ticks.Load() - before; got != 48 {
			t.Fatalf("after a restart the timer ticked %d times in 24 fake hours, want 48", got)
		}
		if got := f.timersOf(t, "root/sweeper").Active(); got != 1 {
			t.Fatalf("Active() = %d after restart, want 1", got)
		}
		f.stop(t)
		time.Sleep(24 * time.Hour)
		synctest.Wait()
		if got := dead.Load(); got != 0 {
			t.Errorf("%d dead letters after stop, want 0", got)
		}
	})
}

// oneShot arms an After timer, then cancels it once the tick is already queued.
type oneShot struct {
	got    *atomic.Int64
	timers *Timers
}

type (
	fired   struct{}
	arm     struct{}
	cancelQ struct{ release chan struct{} }
)

func (o *oneShot) Receive(c actor.Context) {
	switch m := c.Message().(type) {
	case *actor.Started:
		o.timers = TimersOf(c)
	case arm:
		o.timers.After("once", time.Minute, fired{})
		c.Respond(true)
	case cancelQ:
		<-m.release // the tick is queued behind us while we block
		o.timers.Cancel("once")
	case fired:
		o.got.Add(1)
	}
}

func TestCancelDropsATickAlreadyQueued(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		system := NewSystem(zap.NewNop())
		m := NewMetrics(promRegistry())
		o := &oneShot{got: &atomic.Int64{}}
		pid := system.Root.Spawn(Props(func() actor.Actor { return o }, zap.NewNop(), m))
		if _, err := system.Root.RequestFuture(pid, arm{}, time.Hour).Result(); err != nil {
			t.Fatal(err)
		}
		release := make(chan struct{})
		system.Root.Send(pid, cancelQ{release: release})
		time.Sleep(2 * time.Minute) // the timer fires; its tick waits in the mailbox
		synctest.Wait()
		close(release)
		synctest.Wait()
		if got := o.got.Load(); got != 0 {
			t.Fatalf("a cancelled timer delivered %d ticks", got)
		}
		if got := o.timers.Active(); got != 0 {
			t.Fatalf("Active() = %d, want 0", got)
		}
		if err := system.Root.StopFuture(pid).Wait(); err != nil {
			t.Fatal(err)
		}
	})
}

func TestAfterDeliversOnceAndForgetsItsKey(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		system := NewSystem(zap.NewNop())
		o := &oneShot{got: &atomic.Int64{}}
		pid := system.Root.Spawn(Props(func() actor.Actor { return o }, zap.NewNop(), NewMetrics(promRegistry())))
		if _, err := system.Root.RequestFuture(pid, arm{}, time.Hour).Result(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(10 * time.Minute)
		synctest.Wait()
		if got := o.got.Load(); got != 1 {
			t.Fatalf("After delivered %d times, want 1", got)
		}
		if o.timers.Has("once") || o.timers.Active() != 0 {
			t.Fatalf("a delivered one-shot timer is still tracked")
		}
		if err := system.Root.StopFuture(pid).Wait(); err != nil {
			t.Fatal(err)
		}
	})
}
