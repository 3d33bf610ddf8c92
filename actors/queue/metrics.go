package queue

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

// Metrics are the off-hours queue's series; the result label is a gate
// answer code, never an id or a phone.
type Metrics struct {
	items       prometheus.Gauge
	deadLetters prometheus.Gauge
	submitted   prometheus.Counter
	results     *prometheus.CounterVec
}

// NewMetrics registers the queue metrics on reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	f := promauto.With(reg)
	return &Metrics{
		items: f.NewGauge(prometheus.GaugeOpts{
			Name: "orchestrator_queue_items",
			Help: "Dial requests waiting in the off-hours queue.",
		}),
		deadLetters: f.NewGauge(prometheus.GaugeOpts{
			Name: "orchestrator_queue_dead_letters",
			Help: "Queued dial requests given up on (queue full, blocked, too many refusals).",
		}),
		submitted: f.NewCounter(prometheus.CounterOpts{
			Name: "orchestrator_queue_submitted_total",
			Help: "Queued dial requests submitted to the dial gate.",
		}),
		results: f.NewCounterVec(prometheus.CounterOpts{
			Name: "orchestrator_queue_results_total",
			Help: "Dial gate answers to queued requests, by result code.",
		}, []string{"result"}),
	}
}
