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

	"orchestrator/actors/businesshours"
	"orchestrator/actors/queue"
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
	schedule, err := loadSchedule(cfg.Business, st, log)
	if err != nil {
		_, _ = ln.Close(), st.Close()
		return nil, err
	}
	d.system = supervision.NewSystem(log)
	metrics := supervision.NewMetrics(reg)
	specs := services{
		cfg: cfg, log: log, reg: reg, store: st, readiness: d.readiness, system: d.system, schedule: schedule,
		listener: ln, startedAt: startedAt, onServeError: reportFatal, metrics: metrics,
	}.specs(extra)
	d.tree, err = supervision.Start(d.system, specs, supervision.Options{
		Log: log.Named("supervision"), Metrics: metrics, Cfg: cfg.Supervision,
		ChildStopTimeout: cfg.Shutdown.ChildTimeout, OnFatal: reportFatal, Readiness: d.readiness,
		OnReady: func() {
			// The start-up loads paged in most of the state file; hand those pages back.
			if err := st.ReleaseMapped(); err != nil {
				log.Warn("state file pages not released", zap.Error(err))
			}
		},
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

// loadSchedule puts in force the business hours an operator saved through
// the admin API, which win over the file's until changed again there.
func loadSchedule(file config.Business, st *store.Store, log *zap.Logger) (*businesshours.Schedule, error) {
	cfg := file
	saved, ok, err := queue.SavedSchedule(st.Bucket(supervision.Queue))
	if err != nil {
		return nil, fmt.Errorf("scheduler config: %w", err)
	}
	if ok {
		cfg = saved
		log.Info("business hours from the scheduler config saved by an operator", zap.Strings("days", cfg.Days),
			zap.String("open", cfg.Open), zap.String("close", cfg.Close))
	}
	s, err := businesshours.NewSchedule(cfg)
	if err != nil {
		return nil, fmt.Errorf("business hours: %w", err)
	}
	return s, nil
}
