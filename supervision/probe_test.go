package supervision

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"

	"orchestrator/config"
)

// recorder keeps lifecycle events from every probe in the order they happened.
type recorder struct {
	mu     sync.Mutex
	events []string
}

func (r *recorder) add(e string) {
	r.mu.Lock()
	r.events = append(r.events, e)
	r.mu.Unlock()
}

func (r *recorder) list() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.events...)
}

type (
	tickMsg struct{}
	work    struct{ wait chan struct{} }
	boom    struct{}
	ask     struct{}
)

// probe is a test service: it records its lifecycle, ticks on a timer,
// handles work, and panics on demand.
type probe struct {
	name            string
	rec             *recorder
	every           time.Duration
	ticks           *atomic.Int64
	handled         *atomic.Int64
	started         chan string
	panicInStopping bool
}

func (p *probe) Receive(c actor.Context) {
	switch m := c.Message().(type) {
	case *actor.Started:
		p.rec.add(p.name + ":started")
		if p.every > 0 {
			TimersOf(c).Every("tick", p.every, tickMsg{})
		}
		if p.started != nil {
			p.started <- p.name
		}
	case *actor.Stopping:
		p.rec.add(p.name + ":stopping")
		if p.panicInStopping {
			panic("stopping went wrong")
		}
	case *actor.Stopped:
		p.rec.add(p.name + ":stopped")
	case tickMsg:
		p.ticks.Add(1)
	case work:
		if m.wait != nil {
			<-m.wait
		}
		p.handled.Add(1)
	case boom:
		panic("boom")
	case ask:
		c.Respond("ok")
	}
}

// fixture is a running tree of probes.
type fixture struct {
	system  *actor.ActorSystem
	tree    *Tree
	reg     *prometheus.Registry
	metrics *Metrics
	rec     *recorder
	probes  map[string]*probe
	fatal   chan error
	ready   chan []string // what the recorder held when OnReady was called
}

func testSupervision() config.Supervision {
	return config.Supervision{MaxRestarts: 3, Window: time.Minute, BackoffMin: time.Millisecond, BackoffMax: 4 * time.Millisecond}
}

// startTree starts probes named names under a root; tweak adjusts each probe.
func startTree(t testing.TB, log *zap.Logger, names []string, cfg config.Supervision, tweak func(*probe)) *fixture {
	t.Helper()
	return startTreeWith(t, log, names, cfg, time.Minute, tweak)
}

// startTreeWith is startTree with a chosen per-service stop deadline.
func startTreeWith(t testing.TB, log *zap.Logger, names []string, cfg config.Supervision, childTO time.Duration, tweak func(*probe)) *fixture {
	t.Helper()
	f := &fixture{
		system: NewSystem(log),
		reg:    prometheus.NewRegistry(),
		rec:    &recorder{},
		probes: map[string]*probe{},
		fatal:  make(chan error, 1),
		ready:  make(chan []string, 2),
	}
	f.metrics = NewMetrics(f.reg)
	var specs []ChildSpec
	for _, n := range names {
		p := &probe{name: n, rec: f.rec, ticks: &atomic.Int64{}, handled: &atomic.Int64{}}
		if tweak != nil {
			tweak(p)
		}
		f.probes[n] = p
		specs = append(specs, ChildSpec{Name: n, Producer: func() actor.Actor { return p }})
	}
	tree, err := Start(f.system, specs, Options{
		Log: log, Metrics: f.metrics, Cfg: cfg, ChildStopTimeout: childTO,
		OnFatal: func(err error) { f.fatal <- err },
		OnReady: func() { f.ready <- f.rec.list() },
	})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	f.tree = tree
	return f
}

func (f *fixture) stop(t testing.TB) StopReport {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	report, err := f.tree.Stop(ctx)
	if err != nil {
		t.Fatalf("Stop: %v", err)
	}
	return report
}

func (f *fixture) pid(name string) *actor.PID { return PID(f.system, name) }

func newTestLogger(t testing.TB) *zap.Logger {
	if tt, ok := t.(*testing.T); ok {
		return zaptest.NewLogger(tt, zaptest.Level(zap.WarnLevel))
	}
	return zap.NewNop()
}

// gaugeValue reads one series of a metric family from the fixture's registry.
func gaugeValue(t testing.TB, f *fixture, name, actorName string) float64 {
	t.Helper()
	families, err := f.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, fam := range families {
		if fam.GetName() != name {
			continue
		}
		for _, m := range fam.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "actor" && l.GetValue() == actorName {
					return m.GetGauge().GetValue()
				}
			}
		}
	}
	t.Fatalf("no %s{actor=%q}", name, actorName)
	return 0
}

func promRegistry() *prometheus.Registry { return prometheus.NewRegistry() }

// timersOf returns the Timers the middleware installed for an actor.
func (f *fixture) timersOf(t testing.TB, name string) *Timers {
	t.Helper()
	f.metrics.mu.Lock()
	defer f.metrics.mu.Unlock()
	tm, ok := f.metrics.timers[name]
	if !ok {
		t.Fatalf("no timers registered for %s", name)
	}
	return tm
}
