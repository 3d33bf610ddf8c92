package journal

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// readerLag is how far each subscriber's reads are behind the durable log:
// records acknowledged to their senders but not yet handed to the service
// that acts on them. It grows when processing falls behind intake (a burst,
// a slow provider, a catch-up after a restart) and is what an operator
// watches to know the services keep up. Replays from disk answer on their
// own goroutines, hence the lock.
type readerLag struct {
	mu      sync.Mutex
	through map[string]uint64 // subscriber PID id (the label: root/<service>) → last sequence handed to it
	gauge   *prometheus.GaugeVec
}

func newReaderLag(g *prometheus.GaugeVec) *readerLag {
	return &readerLag{through: map[string]uint64{}, gauge: g}
}

// handed notes that reader id has been handed every record of its sources
// up to through, with the log durable up to durable.
func (l *readerLag) handed(id string, through, durable uint64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	t := max(l.through[id], through)
	l.through[id] = t
	l.gauge.WithLabelValues(id).Set(float64(durable - min(t, durable)))
}

// advanced recomputes every reader's lag once the log is durable up to
// durable. A subscriber that has not read yet is not reported: its
// position is unknown until its first read.
func (l *readerLag) advanced(durable uint64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for id, t := range l.through {
		l.gauge.WithLabelValues(id).Set(float64(durable - min(t, durable)))
	}
}
