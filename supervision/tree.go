package supervision

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/eventstream"
	"go.uber.org/zap"

	"orchestrator/config"
)

// Options configure the root.
type Options struct {
	Log     *zap.Logger
	Metrics *Metrics
	Cfg     config.Supervision
	// ChildStopTimeout bounds each service's stop.
	ChildStopTimeout time.Duration
	// OnFatal is called once a service has exhausted its restarts, or the root
	// itself failed; main then stops the daemon in order and exits 1.
	OnFatal func(error)
	// Readiness, when set, shows each service as not ready until it has
	// handled Started.
	Readiness *Readiness
	// OnReady, when set, is called once (on its own goroutine) the first time
	// every service has handled Started: their start-up loads are done.
	OnReady func()
}

// Tree is a running root and its services.
type Tree struct {
	system *actor.ActorSystem
	root   *actor.PID
	sub    *eventstream.Subscription
	log    *zap.Logger
}

// Start spawns the root, which spawns the services in spec order, and returns
// once every service has been spawned.
func Start(system *actor.ActorSystem, specs []ChildSpec, o Options) (*Tree, error) {
	var fatalOnce sync.Once // the root and its guardian may both report
	once := func(err error) { fatalOnce.Do(func() { o.OnFatal(err) }) }
	ready := o.Readiness
	if ready == nil {
		ready = NewReadiness()
	}
	r := &root{specs: specs, cfg: o.Cfg, childTO: o.ChildStopTimeout, log: o.Log, metrics: o.Metrics, onFatal: once, readiness: ready, onReady: o.OnReady}
	guardian := actor.NewOneForOneStrategy(0, 0, func(reason interface{}) actor.Directive {
		once(fmt.Errorf("supervision: root failed: %v", reason))
		return actor.StopDirective
	})
	props := Props(func() actor.Actor { return r }, o.Log, o.Metrics, actor.WithGuardian(guardian))
	pid, err := system.Root.SpawnNamed(props, RootName)
	if err != nil {
		return nil, fmt.Errorf("supervision: spawn root: %w", err)
	}
	sub := system.EventStream.Subscribe(func(evt interface{}) {
		if _, ok := evt.(*actor.DeadLetterEvent); ok {
			o.Metrics.deadLetters.Inc()
		}
	})
	t := &Tree{system: system, root: pid, sub: sub, log: o.Log}
	if _, err := system.Root.RequestFuture(pid, awaitStarted{}, 10*time.Second).Result(); err != nil {
		return t, fmt.Errorf("supervision: root did not start: %w", err)
	}
	return t, nil
}

// PID is the address of a service; it stays valid across its restarts.
func PID(system *actor.ActorSystem, name string) *actor.PID {
	return actor.NewPID(system.Address(), RootName+"/"+name)
}

// Broadcast sends msg to every live service (e.g. messages.ConfigChanged).
func (t *Tree) Broadcast(msg interface{}) { t.system.Root.Send(t.root, broadcast{msg: msg}) }

// Stop stops the services one at a time in reverse start order, draining
// each mailbox, then the root, all bounded by ctx. It reports which services
// stopped and which missed their deadline; the error is non-nil when the stop
// was not clean.
func (t *Tree) Stop(ctx context.Context) (StopReport, error) {
	defer t.system.EventStream.Unsubscribe(t.sub)
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(time.Minute)
	}
	res, err := t.system.Root.RequestFuture(t.root, stopChildren{}, time.Until(deadline)).Result()
	if err != nil {
		t.system.Root.Stop(t.root)
		return StopReport{}, fmt.Errorf("supervision: ordered stop did not finish: %w", err)
	}
	report, _ := res.(StopReport)
	if len(report.Unstopped) > 0 {
		// A stuck service would hold the root's stop too; do not wait for it.
		t.system.Root.Stop(t.root)
		return report, fmt.Errorf("supervision: unstopped services: %v", report.Unstopped)
	}
	if err := t.system.Root.StopFuture(t.root).Wait(); err != nil && !errors.Is(err, actor.ErrDeadLetter) {
		return report, fmt.Errorf("supervision: root did not stop: %w", err)
	}
	return report, nil
}
