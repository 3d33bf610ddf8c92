package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"go.uber.org/zap"

	"orchestrator/config"
	"orchestrator/messages"
	"orchestrator/supervision"
)

// runDaemon is `orchestrator run`. extra services (tests only) start before
// the gateway, so they stop right after it.
func runDaemon(args []string, stderr io.Writer, environ []string, extra []supervision.ChildSpec) int {
	// Signals are caught before anything starts, so a stop during start-up is
	// still an ordered one.
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(sigs)

	cfg, src, code := loadConfig(args, stderr, environ)
	if code != exitOK {
		return code
	}
	log, level := newLogger(cfg.Log, stderr)
	defer func() { _ = log.Sync() }()

	d, err := start(cfg, log, extra)
	if err != nil {
		log.Error("start-up failed", zap.Error(err))
		return exitFailure
	}
	for {
		select {
		case s := <-sigs:
			if s == syscall.SIGHUP {
				d.reload(src, level)
				continue
			}
			// Not ready before the line is logged: whoever reads it may
			// check /readyz at once.
			d.readiness.Set("shutdown", false, "draining")
			log.Info("stop signal received; draining", zap.String("signal", s.String()), zap.Duration("drain", d.cfg.Shutdown.Drain))
			return d.shutdown(sigs, true)
		case err := <-d.fatal:
			log.Error("fatal runtime failure; stopping in order", zap.Error(err))
			d.shutdown(sigs, false)
			return exitFailure
		}
	}
}

// shutdown runs the drain-stop of DESIGN §3.3 under shutdown.timeout: not
// ready at once, keep accepting for shutdown.drain, then stop the services
// in reverse start order (the gateway first, finishing in-flight requests).
// A second stop signal exits 1 at once.
func (d *daemon) shutdown(sigs <-chan os.Signal, drain bool) int {
	began := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), d.cfg.Shutdown.Timeout)
	defer cancel()
	d.readiness.Set("shutdown", false, "draining")
	if drain {
		drainEnd := time.NewTimer(d.cfg.Shutdown.Drain)
		defer drainEnd.Stop()
	wait:
		for {
			select {
			case <-drainEnd.C:
				break wait
			case s := <-sigs:
				if s != syscall.SIGHUP {
					d.log.Warn("second stop signal; exiting now", zap.String("signal", s.String()))
					return exitFailure
				}
			}
		}
	}
	type result struct {
		report supervision.StopReport
		err    error
	}
	done := make(chan result, 1)
	go func() {
		r, err := d.tree.Stop(ctx)
		done <- result{r, err}
	}()
	for {
		select {
		case r := <-done:
			if r.err == nil { // a service still running may still write to it
				if err := d.store.Close(); err != nil {
					r.err = fmt.Errorf("close state store: %w", err)
				}
			}
			took := time.Since(began)
			if r.err != nil {
				d.log.Error("stopped with problems", zap.Error(r.err), zap.Strings("order", r.report.Order), zap.Duration("took", took))
				return exitFailure
			}
			d.log.Info("stopped", zap.Strings("order", r.report.Order), zap.Duration("took", took))
			return exitOK
		case s := <-sigs:
			if s != syscall.SIGHUP {
				d.log.Warn("second stop signal; exiting now", zap.String("signal", s.String()))
				return exitFailure
			}
		}
	}
}

// reload re-reads the configuration; only a fully valid one reaches the
// services, and a bad one changes nothing.
func (d *daemon) reload(src config.Sources, level zap.AtomicLevel) {
	cfg, err := config.Load(src)
	if err != nil {
		d.log.Error("config reload rejected; keeping the running configuration", zap.String("file", src.File), zap.Error(err))
		return
	}
	level.SetLevel(parseLevel(cfg.Log.Level))
	if cfg.HTTP.Addr != d.cfg.HTTP.Addr || cfg.Data.Dir != d.cfg.Data.Dir || cfg.Memory.Limit != d.cfg.Memory.Limit {
		d.log.Warn("http.addr, data.dir and memory.limit take effect only after a restart")
	}
	d.cfg.Log, d.cfg.Shutdown = cfg.Log, cfg.Shutdown
	d.tree.Broadcast(messages.ConfigChanged{Config: cfg})
	d.log.Info("config reloaded", zap.String("file", src.File), zap.String("log_level", cfg.Log.Level))
}
