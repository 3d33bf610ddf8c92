package supervision

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"go.uber.org/zap"

	"orchestrator/config"
)

// ChildSpec is one service under the root: its name and how to make a fresh
// instance of it (called again on every restart).
type ChildSpec struct {
	Name     string
	Producer actor.Producer
}

// StopReport says how the ordered stop went: the services in the order they
// stopped, and those that missed their deadline.
type StopReport struct {
	Order     []string
	Unstopped []string
}

// Messages of the root's own protocol; only this package sends them.
type (
	stopChildren  struct{}
	restartChild  struct{ pid *actor.PID }
	childDeadline struct{ pid *actor.PID }
	broadcast     struct{ msg interface{} }
	awaitStarted  struct{}
	childStarted  struct{ pid *actor.PID } // from the middleware, after a child's Started
)

// root spawns the services in order, restarts failed ones with backoff under
// a restart intensity, and stops them one at a time in reverse order.
// It implements actor.SupervisorStrategy, so protoactor hands it every child
// failure together with the reason.
type root struct {
	specs   []ChildSpec
	cfg     config.Supervision
	childTO time.Duration
	log     *zap.Logger
	metrics *Metrics
	onFatal func(error)
	onReady func()
	// readiness shows each service as "starting" until its Started handler
	// has run, so /readyz never says ready before every store is open.
	readiness *Readiness

	timers   *Timers
	kids     []*actor.PID           // start order
	names    map[string]string      // pid id → service name
	alive    map[string]bool        // pid id → not yet terminated
	failures map[string][]time.Time // pid id → failures inside the window
	pending  map[string]bool        // pid id → suspended, waiting for its restart
	started  map[string]bool        // services that finished Started; nil once all have

	stopping  bool
	stopAsker *actor.PID
	stopIdx   int
	current   *actor.PID
	since     time.Time
	report    StopReport
}

func (r *root) Receive(c actor.Context) {
	switch m := c.Message().(type) {
	case *actor.Started:
		r.spawnChildren(c)
	case awaitStarted:
		c.Respond(awaitStarted{})
	case *actor.Terminated:
		r.childTerminated(c, m.Who)
	case childStarted:
		r.childStarted(m.pid)
	case restartChild:
		r.restart(c, m.pid)
	case stopChildren:
		r.beginStop(c)
	case childDeadline:
		r.missedDeadline(c, m.pid)
	case broadcast:
		r.broadcast(c, m.msg)
	}
}

func (r *root) spawnChildren(c actor.Context) {
	r.timers = TimersOf(c)
	r.names, r.alive = map[string]string{}, map[string]bool{}
	r.failures, r.pending, r.started = map[string][]time.Time{}, map[string]bool{}, map[string]bool{}
	for _, s := range r.specs {
		pid, err := c.SpawnNamed(Props(s.Producer, r.log, r.metrics), s.Name)
		if err != nil {
			panic(fmt.Errorf("supervision: spawn %s: %w", s.Name, err))
		}
		r.readiness.Set("start/"+s.Name, false, "starting")
		r.kids = append(r.kids, pid)
		r.names[pid.Id], r.alive[pid.Id] = s.Name, true
		r.log.Info("service started", zap.String("actor", pid.Id))
	}
}

// HandleFailure applies OneForOne with restart intensity and backoff. It runs
// on the root's own goroutine, so it may use the root's fields and timers.
func (r *root) HandleFailure(_ *actor.ActorSystem, sup actor.Supervisor, child *actor.PID, _ *actor.RestartStatistics, reason, message interface{}) {
	id := child.Id
	if r.stopping {
		r.log.Warn("service failed while stopping; not restarted", zap.String("actor", id), zap.Any("reason", reason))
		sup.StopChildren(child)
		return
	}
	now := time.Now()
	recent := r.failures[id][:0]
	for _, t := range r.failures[id] {
		if now.Sub(t) < r.cfg.Window {
			recent = append(recent, t)
		}
	}
	recent = append(recent, now)
	r.failures[id] = recent
	if len(recent) > r.cfg.MaxRestarts {
		r.log.Error("service exhausted its restarts; stopping the daemon", zap.String("actor", id),
			zap.Int("failures", len(recent)), zap.Duration("window", r.cfg.Window), zap.Any("reason", reason))
		sup.StopChildren(child)
		return
	}
	delay := Backoff(len(recent), r.cfg.BackoffMin, r.cfg.BackoffMax, rand.Float64())
	r.metrics.restarts.WithLabelValues(id).Inc()
	r.log.Warn("service failed; restarting", zap.String("actor", id), zap.Any("reason", reason),
		zap.String("message", fmt.Sprintf("%T", message)), zap.Int("attempt", len(recent)), zap.Duration("backoff", delay))
	r.pending[id] = true
	r.timers.After("restart/"+id, delay, restartChild{pid: child})
}

// childStarted marks a service started for /readyz; the first time every
// service has, it says so once in the log.
func (r *root) childStarted(pid *actor.PID) {
	r.readiness.Set("start/"+r.names[pid.Id], true, "")
	if r.started == nil {
		return
	}
	r.started[pid.Id] = true
	if len(r.started) == len(r.kids) {
		r.started = nil
		r.log.Info("services ready", zap.Int("services", len(r.kids)))
		if r.onReady != nil {
			go r.onReady()
		}
	}
}

func (r *root) restart(c actor.Context, pid *actor.PID) {
	delete(r.pending, pid.Id)
	if r.alive[pid.Id] && !r.stopping {
		c.(actor.Supervisor).RestartChildren(pid)
	}
}

func (r *root) childTerminated(c actor.Context, who *actor.PID) {
	delete(r.alive, who.Id)
	if !r.stopping {
		// Only an exhausted restart intensity stops a service outside a stop.
		r.onFatal(fmt.Errorf("supervision: service %s exhausted its restarts (%d in %s)",
			r.names[who.Id], r.cfg.MaxRestarts, r.cfg.Window))
		return
	}
	if r.current != nil && who.Id == r.current.Id {
		r.timers.Cancel("deadline")
		r.report.Order = append(r.report.Order, r.names[who.Id])
		r.log.Info("service stopped", zap.String("actor", who.Id), zap.Duration("took", time.Since(r.since)))
		r.stopNext(c)
	}
}

func (r *root) beginStop(c actor.Context) {
	if r.stopping {
		return
	}
	r.stopping, r.stopAsker, r.stopIdx = true, c.Sender(), len(r.kids)
	r.log.Info("stopping services in reverse start order", zap.Int("services", len(r.alive)))
	r.stopNext(c)
}

// stopNext poisons the next live child (its queue drains first) and arms its
// deadline; a child waiting for a restart is suspended and cannot drain, so
// it is stopped outright.
func (r *root) stopNext(c actor.Context) {
	for r.stopIdx > 0 {
		r.stopIdx--
		pid := r.kids[r.stopIdx]
		if !r.alive[pid.Id] {
			continue
		}
		r.current, r.since = pid, time.Now()
		r.log.Info("stopping service", zap.String("actor", pid.Id))
		if r.pending[pid.Id] {
			r.timers.Cancel("restart/" + pid.Id)
			c.Stop(pid)
		} else {
			c.Poison(pid)
		}
		r.timers.After("deadline", r.childTO, childDeadline{pid: pid})
		return
	}
	r.current = nil
	if r.stopAsker != nil {
		c.Send(r.stopAsker, r.report)
	}
}

func (r *root) missedDeadline(c actor.Context, pid *actor.PID) {
	if r.current == nil || pid.Id != r.current.Id {
		return
	}
	r.log.Error("unstopped: service missed its stop deadline; going on without it",
		zap.String("actor", pid.Id), zap.Duration("deadline", r.childTO))
	r.report.Unstopped = append(r.report.Unstopped, r.names[pid.Id])
	c.Stop(pid) // drop what it still has queued; it may still be stuck
	r.stopNext(c)
}

func (r *root) broadcast(c actor.Context, msg interface{}) {
	for _, pid := range r.kids {
		if r.alive[pid.Id] {
			c.Send(pid, msg)
		}
	}
}
