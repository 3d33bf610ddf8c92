package amtracker

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

// Metrics are the tracker's series; the outcome label is a tracked outcome,
// never an id or a phone.
type Metrics struct {
	counted *prometheus.CounterVec
	atCap   prometheus.Gauge
}

// NewMetrics registers the tracker metrics on reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	f := promauto.With(reg)
	return &Metrics{
		counted: f.NewCounterVec(prometheus.CounterOpts{
			Name: "orchestrator_amtracker_counted_total",
			Help: "Completed calls counted towards the answering-machine cap, by outcome.",
		}, []string{"outcome"}),
		atCap: f.NewGauge(prometheus.GaugeOpts{
			Name: "orchestrator_amtracker_at_cap",
			Help: "Lead+phone pairs at or over amtracker.max_per_day today (business time).",
		}),
	}
}
