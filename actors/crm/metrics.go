package crm

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

// Results of an update, the values of orchestrator_crm_updates_total{result}.
const (
	resultQueued      = "queued"       // accepted into the outbox
	resultDelivered   = "delivered"    // the CRM accepted it
	resultRetried     = "retried"      // a try failed; another is scheduled
	resultParked      = "parked"       // max tries reached; waits for an operator
	resultRefusedFull = "refused_full" // the outbox was full
	resultDuplicate   = "duplicate"    // its key was queued or delivered already
	resultInvalid     = "invalid"      // no key, lead or status: nothing the CRM could apply
	resultStoreFailed = "store_failed" // could not be persisted, so not queued
)

var results = [...]string{resultQueued, resultDelivered, resultRetried, resultParked, resultRefusedFull,
	resultDuplicate, resultInvalid, resultStoreFailed}

// Metrics are the outbox's series. Every series is looked up once, here:
// each update changes several of them.
type Metrics struct {
	updates         *prometheus.CounterVec
	byResult        map[string]prometheus.Counter
	pending, parked prometheus.Gauge
}

// NewMetrics registers the outbox metrics on reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	f := promauto.With(reg)
	items := f.NewGaugeVec(prometheus.GaugeOpts{
		Name: "orchestrator_crm_outbox_items",
		Help: "Updates in the CRM outbox, by state (pending, parked).",
	}, []string{"state"})
	m := &Metrics{
		updates: f.NewCounterVec(prometheus.CounterOpts{
			Name: "orchestrator_crm_updates_total",
			Help: "CRM updates by result (queued, delivered, retried, parked, refused_full, duplicate, invalid, store_failed).",
		}, []string{"result"}),
		byResult: make(map[string]prometheus.Counter, len(results)),
		pending:  items.WithLabelValues("pending"),
		parked:   items.WithLabelValues("parked"),
	}
	for _, r := range results {
		m.byResult[r] = m.updates.WithLabelValues(r)
	}
	return m
}

func (m *Metrics) count(result string) { m.byResult[result].Inc() }

func (m *Metrics) setItems(pending, parked int) {
	m.pending.Set(float64(pending))
	m.parked.Set(float64(parked))
}
