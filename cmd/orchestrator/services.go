package main

import (
	"context"
	"net"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"orchestrator/actors/amtracker"
	"orchestrator/actors/bland"
	"orchestrator/actors/blocklist"
	"orchestrator/actors/businesshours"
	"orchestrator/actors/calls"
	"orchestrator/actors/convoso"
	"orchestrator/actors/crm"
	"orchestrator/actors/gateway"
	"orchestrator/actors/journal"
	"orchestrator/actors/queue"
	"orchestrator/actors/redial"
	"orchestrator/actors/sms"
	"orchestrator/actors/stats"
	"orchestrator/actors/store"
	"orchestrator/config"
	"orchestrator/supervision"
)

// services is what the service list is built from.
type services struct {
	cfg          config.Config
	log          *zap.Logger
	reg          *prometheus.Registry
	store        *store.Store
	readiness    *supervision.Readiness
	system       *actor.ActorSystem
	schedule     *businesshours.Schedule
	listener     net.Listener
	startedAt    time.Time
	onServeError func(error)
	metrics      *supervision.Metrics
}

// backlog reports the longest mailbox among the named services.
func (s services) backlog(names ...string) func() int {
	return func() int {
		longest := 0
		for _, n := range names {
			longest = max(longest, s.metrics.MailboxLength(supervision.RootName+"/"+n))
		}
		return longest
	}
}

// specs is the service tree in start order (DESIGN §2); it stops in reverse.
// Each service gets only its own config section and the PIDs it talks to.
func (s services) specs(extra []supervision.ChildSpec) []supervision.ChildSpec {
	cfg, pid := s.cfg, func(name string) *actor.PID { return supervision.PID(s.system, name) }
	list := []supervision.ChildSpec{
		{Name: supervision.Journal, Producer: journal.Producer(journal.Deps{
			Log: s.log.Named(supervision.Journal), Cfg: cfg.Journal, DataDir: cfg.Data.Dir, Location: s.schedule.Hours().Location(),
			Metrics: journal.NewMetrics(s.reg), Readiness: s.readiness,
		})},
		{Name: supervision.Blocklist, Producer: blocklist.Producer(blocklist.Deps{
			Log: s.log.Named(supervision.Blocklist), Cfg: cfg.Blocklist, Bucket: s.store.Bucket(supervision.Blocklist),
			Readiness: s.readiness, Flags: gauge(s.reg, "orchestrator_blocklist_flags", "Do-not-call flags on the blocklist."),
			Calls: pid(supervision.Calls),
		})},
		{Name: supervision.Stats, Producer: stats.Producer(stats.Deps{
			Log: s.log.Named(supervision.Stats), Cfg: cfg.Stats, Schedule: s.schedule,
			Bucket: s.store.Bucket(supervision.Stats), Calls: pid(supervision.Calls),
		})},
		{Name: supervision.AMTracker, Producer: amtracker.Producer(amtracker.Deps{
			Log: s.log.Named(supervision.AMTracker), Cfg: cfg.AMTracker, Schedule: s.schedule,
			Bucket: s.store.Bucket(supervision.AMTracker), ConfigBucket: s.store.Bucket(supervision.AMTracker + "_config"),
			Metrics: amtracker.NewMetrics(s.reg), Calls: pid(supervision.Calls),
		})},
		{Name: supervision.CRM, Producer: crm.Producer(crm.Deps{
			Log: s.log.Named(supervision.CRM), Cfg: cfg.CRM, Bucket: s.store.Bucket(supervision.CRM),
			Client: convoso.New(cfg.Convoso, s.log.Named("convoso"), nil), Metrics: crm.NewMetrics(s.reg),
			Context: context.Background(), Calls: pid(supervision.Calls),
		})},
		{Name: supervision.Calls, Producer: calls.Producer(calls.Deps{
			Log: s.log.Named(supervision.Calls), Cfg: cfg.Calls, FromNumbers: cfg.Bland.FromNumbers, Schedule: s.schedule,
			Bucket: s.store.Bucket(supervision.Calls), Dialer: bland.New(cfg.Bland, s.log.Named("bland"), nil),
			Metrics: calls.NewMetrics(s.reg), Context: context.Background(),
			Journal: pid(supervision.Journal), Blocklist: pid(supervision.Blocklist), Queue: pid(supervision.Queue),
			AMTracker: pid(supervision.AMTracker), CRM: pid(supervision.CRM),
			Consumers: []*actor.PID{pid(supervision.Blocklist), pid(supervision.Stats), pid(supervision.AMTracker), pid(supervision.CRM),
				pid(supervision.Redial), pid(supervision.SMS)},
			// The cadence reads leads from the journal itself; the drip's
			// lead facts are a best-effort cache.
			LeadConsumers: []*actor.PID{pid(supervision.SMS)},
			Backlog: s.backlog(supervision.Blocklist, supervision.Stats, supervision.AMTracker, supervision.CRM, supervision.Redial,
				supervision.SMS),
		})},
		{Name: supervision.Redial, Producer: redial.Producer(redial.Deps{
			Log: s.log.Named(supervision.Redial), Cfg: cfg.Redial, Schedule: s.schedule,
			Bucket: s.store.Bucket(supervision.Redial), Calls: pid(supervision.Calls), Journal: pid(supervision.Journal),
			Metrics: redial.NewMetrics(s.reg),
		})},
		{Name: supervision.SMS, Producer: sms.Producer(sms.Deps{
			Log: s.log.Named(supervision.SMS), Cfg: cfg.SMS, OurNumbers: cfg.Bland.FromNumbers, Schedule: s.schedule,
			Bucket: s.store.Bucket(supervision.SMS), Sender: bland.New(cfg.Bland, s.log.Named("bland"), nil),
			Metrics: sms.NewMetrics(s.reg), Context: context.Background(),
			Journal: pid(supervision.Journal), Blocklist: pid(supervision.Blocklist), CRM: pid(supervision.CRM),
			Redial: pid(supervision.Redial), Calls: pid(supervision.Calls),
		})},
		{Name: supervision.Queue, Producer: queue.Producer(queue.Deps{
			Log: s.log.Named(supervision.Queue), Cfg: cfg.Queue, Schedule: s.schedule, Bucket: s.store.Bucket(supervision.Queue),
			Calls: pid(supervision.Calls), Metrics: queue.NewMetrics(s.reg),
		})},
	}
	list = append(list, extra...)
	return append(list, supervision.ChildSpec{Name: supervision.Gateway, Producer: gateway.Producer(gateway.Deps{
		Log: s.log.Named(supervision.Gateway), Cfg: cfg, Listener: s.listener, Readiness: s.readiness,
		Gatherer: s.reg, Version: version, StartedAt: s.startedAt,
		OnServeError: s.onServeError, StopTimeout: cfg.Shutdown.ChildTimeout,
		Metrics: gateway.NewMetrics(s.reg), System: s.system, Location: s.schedule.Hours().Location(),
		Journal: pid(supervision.Journal), Blocklist: pid(supervision.Blocklist),
		Calls: pid(supervision.Calls), Queue: pid(supervision.Queue), CRM: pid(supervision.CRM),
		AMTracker: pid(supervision.AMTracker), Redial: pid(supervision.Redial), Stats: pid(supervision.Stats),
		SMS: pid(supervision.SMS),
	})})
}

func gauge(reg prometheus.Registerer, name, help string) prometheus.Gauge {
	g := prometheus.NewGauge(prometheus.GaugeOpts{Name: name, Help: help})
	reg.MustRegister(g)
	return g
}
