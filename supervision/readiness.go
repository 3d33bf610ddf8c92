package supervision

import (
	"maps"
	"sync"
)

// Readiness collects the components that currently say "not ready" and why;
// the gateway's /readyz is 200 only while it is empty. Services report
// through it directly so readiness never waits behind a busy mailbox.
type Readiness struct {
	mu       sync.Mutex
	notReady map[string]string
}

// NewReadiness starts not ready: "starting" until main clears it.
func NewReadiness() *Readiness {
	return &Readiness{notReady: map[string]string{"daemon": "starting"}}
}

// Set records a component's readiness; reason says why it is not ready.
func (r *Readiness) Set(component string, ready bool, reason string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if ready {
		delete(r.notReady, component)
		return
	}
	r.notReady[component] = reason
}

// Check reports readiness and, when not ready, every component's reason.
func (r *Readiness) Check() (bool, map[string]string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.notReady) == 0, maps.Clone(r.notReady)
}
