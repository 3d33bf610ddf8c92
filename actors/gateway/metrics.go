package gateway

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

// Metrics are the gateway's webhook series. Labels are the source (a fixed
// set of four) and the result, never an id or a phone.
type Metrics struct {
	webhooks *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

// NewMetrics registers the gateway metrics on reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	f := promauto.With(reg)
	return &Metrics{
		webhooks: f.NewCounterVec(prometheus.CounterOpts{
			Name: "orchestrator_webhooks_total",
			Help: "Webhooks received, by source and result (accepted, duplicate, invalid, unauthorized, too_large, unsupported_media, unavailable).",
		}, []string{"source", "result"}),
		duration: f.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "orchestrator_webhook_duration_seconds",
			Help:    "Time from a webhook's arrival to its answer, durable append included.",
			Buckets: []float64{.0005, .001, .002, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"source"}),
	}
}
