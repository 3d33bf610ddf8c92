package journal

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

// Metrics are the journal's series.
type Metrics struct {
	sync     prometheus.Histogram
	records  prometheus.Counter
	batch    prometheus.Histogram
	failures prometheus.Counter
	refused  prometheus.Counter
	replays  *prometheus.CounterVec
	lag      *prometheus.GaugeVec
}

// NewMetrics registers the journal metrics on reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	f := promauto.With(reg)
	return &Metrics{
		sync: f.NewHistogram(prometheus.HistogramOpts{
			Name:    "orchestrator_journal_sync_seconds",
			Help:    "Time to write and fdatasync one group-committed batch.",
			Buckets: []float64{.0001, .00025, .0005, .001, .002, .005, .01, .025, .05, .1, .5, 1},
		}),
		records: f.NewCounter(prometheus.CounterOpts{
			Name: "orchestrator_journal_records_total",
			Help: "Records made durable in the journal.",
		}),
		batch: f.NewHistogram(prometheus.HistogramOpts{
			Name:    "orchestrator_journal_batch_records",
			Help:    "Records per group-committed batch.",
			Buckets: prometheus.ExponentialBuckets(1, 2, 12),
		}),
		failures: f.NewCounter(prometheus.CounterOpts{
			Name: "orchestrator_journal_append_failures_total",
			Help: "Batches that could not be made durable (disk full, I/O error); their webhooks got 429.",
		}),
		refused: f.NewCounter(prometheus.CounterOpts{
			Name: "orchestrator_journal_overload_refusals_total",
			Help: "Appends refused because journal.max_pending were already waiting for a sync.",
		}),
		// A consumer far enough behind to be answered from disk shows here
		// first: its replays move from memory (the recent ring) to disk.
		replays: f.NewCounterVec(prometheus.CounterOpts{
			Name: "orchestrator_journal_replays_total",
			Help: "Replay requests answered, by where the records came from (memory: the recent ring; disk: the segments).",
		}, []string{"from"}),
		lag: f.NewGaugeVec(prometheus.GaugeOpts{
			Name: "orchestrator_journal_reader_lag_records",
			Help: "Durable journal records not yet handed to each service that reads the journal (calls, redial, sms...); grows when processing falls behind intake.",
		}, []string{"reader"}),
	}
}
