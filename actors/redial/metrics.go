package redial

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"

	"orchestrator/messages"
)

// Metrics are the cadence's series; labels are statuses and gate answer
// codes, never a phone or an id.
type Metrics struct {
	leads *prometheus.GaugeVec
	dials *prometheus.CounterVec
}

// NewMetrics registers the redial metrics on reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	f := promauto.With(reg)
	return &Metrics{
		leads: f.NewGaugeVec(prometheus.GaugeOpts{
			Name: "orchestrator_redial_queue_leads",
			Help: "Redial records by status.",
		}, []string{"status"}),
		dials: f.NewCounterVec(prometheus.CounterOpts{
			Name: "orchestrator_redial_dials_total",
			Help: "Dial gate answers to redial requests, by result code.",
		}, []string{"result"}),
	}
}

var statuses = []string{messages.RedialPending, messages.RedialScheduledCallback, messages.RedialDailyCap, messages.RedialPaused,
	messages.RedialDone}

func (m *Metrics) setCounts(counts map[string]int) {
	for _, s := range statuses {
		m.leads.WithLabelValues(s).Set(float64(counts[s]))
	}
}
