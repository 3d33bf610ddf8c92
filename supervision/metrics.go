package supervision

import (
	"sync"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

// Metrics are the per-actor series of DESIGN §6. protoactor's own mailbox
// gauge is never emitted at the pinned version, so mailbox length and timer
// counts are read straight from our mailbox wrapper and Timers at scrape time.
type Metrics struct {
	messages    *prometheus.CounterVec
	restarts    *prometheus.CounterVec
	panics      *prometheus.CounterVec
	deadLetters prometheus.Counter

	mu        sync.Mutex
	mailboxes map[string]actor.Mailbox
	timers    map[string]*Timers

	mailboxDesc *prometheus.Desc
	timersDesc  *prometheus.Desc
}

// NewMetrics registers the actor metrics on reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	f := promauto.With(reg)
	m := &Metrics{
		messages: f.NewCounterVec(prometheus.CounterOpts{
			Name: "orchestrator_actor_messages_total",
			Help: "User messages taken from each actor's mailbox.",
		}, []string{"actor"}),
		restarts: f.NewCounterVec(prometheus.CounterOpts{
			Name: "orchestrator_actor_restarts_total",
			Help: "Restarts of each service after a failure.",
		}, []string{"actor"}),
		panics: f.NewCounterVec(prometheus.CounterOpts{
			Name: "orchestrator_actor_panics_total",
			Help: "Panics recovered in each actor's handlers.",
		}, []string{"actor"}),
		deadLetters: f.NewCounter(prometheus.CounterOpts{
			Name: "orchestrator_actor_dead_letters_total",
			Help: "Messages sent to an actor that no longer exists.",
		}),
		mailboxes: map[string]actor.Mailbox{},
		timers:    map[string]*Timers{},
		mailboxDesc: prometheus.NewDesc("orchestrator_actor_mailbox_length",
			"User messages waiting in each actor's mailbox.", []string{"actor"}, nil),
		timersDesc: prometheus.NewDesc("orchestrator_actor_timers_active",
			"Timer goroutines running for each actor.", []string{"actor"}, nil),
	}
	reg.MustRegister(gauges{m})
	return m
}

// gauges is the scrape-time collector of mailbox lengths and timer counts.
type gauges struct{ m *Metrics }

func (g gauges) Describe(ch chan<- *prometheus.Desc) {
	ch <- g.m.mailboxDesc
	ch <- g.m.timersDesc
}

func (g gauges) Collect(ch chan<- prometheus.Metric) {
	g.m.mu.Lock()
	defer g.m.mu.Unlock()
	for name, mb := range g.m.mailboxes {
		ch <- prometheus.MustNewConstMetric(g.m.mailboxDesc, prometheus.GaugeValue, float64(mb.UserMessageCount()), name)
	}
	for name, t := range g.m.timers {
		ch <- prometheus.MustNewConstMetric(g.m.timersDesc, prometheus.GaugeValue, float64(t.Active()), name)
	}
}

func (m *Metrics) addMailbox(name string, mb actor.Mailbox) {
	m.mu.Lock()
	m.mailboxes[name] = mb
	m.mu.Unlock()
}

func (m *Metrics) setTimers(name string, t *Timers) {
	m.mu.Lock()
	m.timers[name] = t
	m.mu.Unlock()
}

// MailboxLength is the number of user messages waiting for an actor (its
// full name, e.g. "root/crm"); 0 when unknown. Safe from any goroutine: a
// producer uses it to hold back while a consumer is behind.
func (m *Metrics) MailboxLength(actorName string) int {
	m.mu.Lock()
	mb, ok := m.mailboxes[actorName]
	m.mu.Unlock()
	if !ok {
		return 0
	}
	return mb.UserMessageCount()
}

// forget drops the gauges of an actor that has stopped for good.
func (m *Metrics) forget(name string) {
	m.mu.Lock()
	delete(m.mailboxes, name)
	delete(m.timers, name)
	m.mu.Unlock()
}
