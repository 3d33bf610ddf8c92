package calls

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

// Metrics are the gate's and the registry's series.
type Metrics struct {
	dials     *prometheus.CounterVec
	inFlight  prometheus.Gauge
	unknown   prometheus.Counter
	completed *prometheus.CounterVec
}

// NewMetrics registers the calls metrics on reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	f := promauto.With(reg)
	return &Metrics{
		dials: f.NewCounterVec(prometheus.CounterOpts{
			Name: "orchestrator_dials_total",
			Help: "Dial requests by the gate's answer (dialled, queued, blocked, busy, daily_cap, duplicate, am_cap, failed, closed).",
		}, []string{"result"}),
		inFlight: f.NewGauge(prometheus.GaugeOpts{
			Name: "orchestrator_calls_in_flight",
			Help: "Phones held by a call that has not completed.",
		}),
		unknown: f.NewCounter(prometheus.CounterOpts{
			Name: "orchestrator_calls_unknown_total",
			Help: "Calls with no completion within calls.pending_timeout.",
		}),
		completed: f.NewCounterVec(prometheus.CounterOpts{
			Name: "orchestrator_calls_completed_total",
			Help: "Completed calls by outcome.",
		}, []string{"outcome"}),
	}
}
