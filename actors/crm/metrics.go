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

// Metrics are the outbox's series.
type Metrics struct {
	items   *prometheus.GaugeVec
	updates *prometheus.CounterVec
}

// NewMetrics registers the outbox metrics on reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	f := promauto.With(reg)
	return &Metrics{
		items: f.NewGaugeVec(prometheus.GaugeOpts{
			Name: "orchestrator_crm_outbox_items",
			Help: "Updates in the CRM outbox, by state (pending, parked).",
		}, []string{"state"}),
		updates: f.NewCounterVec(prometheus.CounterOpts{
			Name: "orchestrator_crm_updates_total",
			Help: "CRM updates by result (queued, delivered, retried, parked, refused_full, duplicate, invalid, store_failed).",
		}, []string{"result"}),
	}
}

func (m *Metrics) count(result string) { m.updates.WithLabelValues(result).Inc() }

func (m *Metrics) setItems(pending, parked int) {
	m.items.WithLabelValues("pending").Set(float64(pending))
	m.items.WithLabelValues("parked").Set(float64(parked))
}
