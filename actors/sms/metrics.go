package sms

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"

	"orchestrator/messages"
)

// Results of a text, the values of orchestrator_sms_total{result}.
const (
	resultSent               = "sent"
	resultFailed             = "failed"              // the provider refused; retried
	resultUnknown            = "unknown"             // may have been sent; counted as sent
	resultSkippedBlocked     = "skipped_blocked"     // blocklisted phone: the sequence is cancelled
	resultSkippedUnavailable = "skipped_unavailable" // the blocklist could not say: the text waits
	resultStoreFailed        = "store_failed"        // the intent was not stored: nothing sent
	resultUncertain          = "uncertain"           // a failure that may have sent it: the history is asked
	// A text cut by a stop or uncertain, looked up in the provider's history.
	resultReconciledSent   = "reconciled_sent"   // found there: recorded as sent
	resultReconciledAbsent = "reconciled_absent" // certainly not there: due again
	resultLookupFailed     = "lookup_failed"     // the history could not be read: asked again later
)

// Metrics are the drip's series; labels are results, statuses and kinds,
// never a phone or an id.
type Metrics struct {
	texts     *prometheus.CounterVec
	sequences *prometheus.GaugeVec
	replies   *prometheus.CounterVec
	actions   *prometheus.CounterVec
	callbacks *prometheus.CounterVec
	pending   prometheus.Gauge
}

// NewMetrics registers the sms metrics on reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	f := promauto.With(reg)
	return &Metrics{
		texts: f.NewCounterVec(prometheus.CounterOpts{
			Name: "orchestrator_sms_total",
			Help: "Drip texts by result.",
		}, []string{"result"}),
		sequences: f.NewGaugeVec(prometheus.GaugeOpts{
			Name: "orchestrator_sms_sequences",
			Help: "SMS sequences by status.",
		}, []string{"status"}),
		replies: f.NewCounterVec(prometheus.CounterOpts{
			Name: "orchestrator_sms_replies_total",
			Help: "Inbound SMS replies by classification (ignored: from our own number).",
		}, []string{"classification"}),
		actions: f.NewCounterVec(prometheus.CounterOpts{
			Name: "orchestrator_sms_reply_actions_total",
			Help: "Attempts of the steps SMS replies lead to, by kind and result.",
		}, []string{"kind", "result"}),
		callbacks: f.NewCounterVec(prometheus.CounterOpts{
			Name: "orchestrator_sms_callbacks_total",
			Help: "Dial gate answers to call-backs asked for by SMS, by result code.",
		}, []string{"result"}),
		pending: f.NewGauge(prometheus.GaugeOpts{
			Name: "orchestrator_sms_reply_actions_pending",
			Help: "Reply steps not yet acknowledged by their service.",
		}),
	}
}

func (m *Metrics) count(result string) { m.texts.WithLabelValues(result).Inc() }

var statuses = []string{messages.SMSActive, messages.SMSCompleted, messages.SMSCancelled, messages.SMSOptedOut}

func (m *Metrics) setCounts(counts map[string]int) {
	for _, s := range statuses {
		m.sequences.WithLabelValues(s).Set(float64(counts[s]))
	}
}
