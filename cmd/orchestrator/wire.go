package main

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"go.uber.org/zap"

	"orchestrator/actors/blocklist"
	"orchestrator/actors/gateway"
	"orchestrator/actors/journal"
	"orchestrator/actors/store"
	"orchestrator/config"
	"orchestrator/supervision"
)

// daemon is what start built and shutdown takes apart.
type daemon struct {
	cfg       config.Config
	log       *zap.Logger
	system    *actor.ActorSystem
	tree      *supervision.Tree
	readiness *supervision.Readiness
	store     *store.Store
	fatal     chan error
}

// start wires the daemon in the order of STYLE §4: memory limit, data dir,
// metrics registry, listener (before any actor), then the supervised tree.
func start(cfg config.Config, log *zap.Logger, extra []supervision.ChildSpec) (*daemon, error) {
	startedAt := time.Now()
	if cfg.Memory.Limit > 0 {
		debug.SetMemoryLimit(int64(cfg.Memory.Limit))
	}
	if err := os.MkdirAll(cfg.Data.Dir, 0o750); err != nil {
		return nil, fmt.Errorf("data dir: %w", err)
	}
	st, err := store.Open(filepath.Join(cfg.Data.Dir, "state.db"))
	if err != nil {
		return nil, err
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	buildInfo := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "orchestrator_build_info", Help: "Build of the running daemon; always 1.",
	}, []string{"version", "goversion"})
	buildInfo.WithLabelValues(version, runtime.Version()).Set(1)
	reg.MustRegister(buildInfo)

	ln, err := net.Listen("tcp", cfg.HTTP.Addr)
	if err != nil {
		_ = st.Close()
		return nil, fmt.Errorf("listen on %s: %w", cfg.HTTP.Addr, err)
	}
	log.Info("listening", zap.String("addr", ln.Addr().String()), zap.String("version", version))

	d := &daemon{cfg: cfg, log: log, readiness: supervision.NewReadiness(), store: st, fatal: make(chan error, 1)}
	reportFatal := func(err error) {
		select {
		case d.fatal <- err:
		default: // the first fatal error is the one that matters
		}
	}
	loc, err := time.LoadLocation(cfg.Business.Timezone)
	if err != nil {
		_, _ = ln.Close(), st.Close()
		return nil, fmt.Errorf("business.timezone: %w", err)
	}
	d.system = supervision.NewSystem(log)
	metrics := supervision.NewMetrics(reg)
	specs := []supervision.ChildSpec{{
		Name: supervision.Journal,
		Producer: journal.Producer(journal.Deps{
			Log: log.Named(supervision.Journal), Cfg: cfg.Journal, DataDir: cfg.Data.Dir, Location: loc,
			Metrics: journal.NewMetrics(reg), Readiness: d.readiness,
		}),
	}, {
		Name: supervision.Blocklist,
		Producer: blocklist.Producer(blocklist.Deps{
			Log: log.Named(supervision.Blocklist), Cfg: cfg.Blocklist, Bucket: st.Bucket(supervision.Blocklist),
			Readiness: d.readiness, Flags: blocklistGauge(reg),
		}),
	}}
	specs = append(specs, extra...)
	specs = append(specs, supervision.ChildSpec{
		Name: supervision.Gateway,
		Producer: gateway.Producer(gateway.Deps{
			Log: log.Named(supervision.Gateway), Cfg: cfg, Listener: ln, Readiness: d.readiness,
			Gatherer: reg, Version: version, StartedAt: startedAt,
			OnServeError: reportFatal, StopTimeout: cfg.Shutdown.ChildTimeout,
			Metrics: gateway.NewMetrics(reg), System: d.system, Location: loc,
			Journal:   supervision.PID(d.system, supervision.Journal),
			Blocklist: supervision.PID(d.system, supervision.Blocklist),
		}),
	})
	d.tree, err = supervision.Start(d.system, specs, supervision.Options{
		Log: log.Named("supervision"), Metrics: metrics, Cfg: cfg.Supervision,
		ChildStopTimeout: cfg.Shutdown.ChildTimeout, OnFatal: reportFatal, Readiness: d.readiness,
	})
	if err != nil {
		_, _ = ln.Close(), st.Close()
		return nil, err
	}
	d.readiness.Set("daemon", true, "")
	log.Info("started", zap.Int("services", len(specs)), zap.Duration("took", time.Since(startedAt)),
		zap.Bool("admin_api", cfg.Admin.APIKey.IsSet()))
	return d, nil
}

func blocklistGauge(reg prometheus.Registerer) prometheus.Gauge {
	g := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "orchestrator_blocklist_flags", Help: "Do-not-call flags on the blocklist.",
	})
	reg.MustRegister(g)
	return g
}
