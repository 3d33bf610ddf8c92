package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"orchestrator/actors/gateway"
	"orchestrator/actors/journal"
	"orchestrator/config"
	"orchestrator/supervision"
)

// serveIntake runs the daemon's intake alone: the gateway and the journal
// (durable group commit, on its embedded defaults), with no service behind
// them. It splits the daemon's cost per webhook into what answering it
// durably costs and what the services' work on it costs.
func serveIntake() error {
	dir, err := os.MkdirTemp("", "loadgen-intake-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	cfg := config.Default()
	cfg.Data.Dir = dir
	loc, err := time.LoadLocation(cfg.Business.Timezone)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	log, reg, ready := zap.NewNop(), prometheus.NewRegistry(), supervision.NewReadiness()
	system := supervision.NewSystem(log)
	fatal := make(chan error, 1)
	specs := []supervision.ChildSpec{
		{Name: supervision.Journal, Producer: journal.Producer(journal.Deps{
			Log: log, Cfg: cfg.Journal, DataDir: dir, Location: loc, Metrics: journal.NewMetrics(reg), Readiness: ready,
		})},
		{Name: supervision.Gateway, Producer: gateway.Producer(gateway.Deps{
			Log: log, Cfg: cfg, Listener: ln, Readiness: ready, Gatherer: reg, StartedAt: time.Now(),
			OnServeError: func(err error) { fatal <- err }, StopTimeout: cfg.Shutdown.ChildTimeout,
			Metrics: gateway.NewMetrics(reg), System: system, Location: loc,
			Journal: supervision.PID(system, supervision.Journal),
		})},
	}
	tree, err := supervision.Start(system, specs, supervision.Options{
		Log: log, Metrics: supervision.NewMetrics(reg), Cfg: cfg.Supervision, ChildStopTimeout: cfg.Shutdown.ChildTimeout,
		OnFatal: func(err error) { fatal <- err }, Readiness: ready,
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "addr=%s\n", ln.Addr())
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	select {
	case <-sig:
	case err = <-fatal:
	}
	_, _ = tree.Stop(context.Background())
	return err
}
