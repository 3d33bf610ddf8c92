package calls

import (
	"time"

	"orchestrator/messages"
)

// Call states.
const (
	stateIntent   = "intent"    // committed, provider being asked
	stateInFlight = "in_flight" // the provider placed it; waiting for its completion
	stateDone     = "completed"
	stateUnknown  = "unknown" // no completion within calls.pending_timeout, or an intent cut by a crash
	stateFailed   = "failed"  // the provider refused
)

// call is one registry entry, keyed by its intent id; CallID is the
// provider's id once known.
type call struct {
	Intent      string            `json:"intent"`
	CallID      string            `json:"call_id,omitempty"`
	Kind        messages.DialKind `json:"kind"`
	Lead        messages.Lead     `json:"lead"`
	Phone       messages.Phone    `json:"phone"`
	From        string            `json:"from,omitempty"`
	State       string            `json:"state"`
	RequestedAt time.Time         `json:"requested_at"`
	DialledAt   time.Time         `json:"dialled_at,omitempty"`
	EndedAt     time.Time         `json:"ended_at,omitempty"`
	Outcome     messages.Outcome  `json:"outcome,omitempty"`
	Error       string            `json:"error,omitempty"`
	// CompletedSeq is the journal record whose completion was published for
	// this call, and PublishedSeq the sequence calls had applied when it was
	// published: later than CompletedSeq for a completion held back (one
	// that beat its dial's answer, an inbound call waiting for the CRM). A
	// resend (resend.go) finds what it may publish again by them.
	CompletedSeq uint64 `json:"completed_seq,omitempty"`
	PublishedSeq uint64 `json:"published_seq,omitempty"`
}

// kindInbound marks the registry entry of an inbound call: not dialled by
// us, kept so its completion can be published again (and only once).
const kindInbound messages.DialKind = "inbound"

// active says whether the call still holds its phone.
func (c *call) active() bool { return c.State == stateIntent || c.State == stateInFlight }

// publication is the CallCompleted published for this call, built from the
// parsed webhook and what the registry knows; publishing again rebuilds it
// the same way.
func (c *call) publication(cc messages.CallCompleted) messages.CallCompleted {
	cc.Phone = c.Phone // ours, whatever the provider echoed
	if c.Kind == kindInbound {
		cc.Inbound = true
		cc.LeadID, cc.ListID = c.Lead.LeadID, c.Lead.ListID // the CRM's answer, when it was asked
		return cc
	}
	if cc.LeadID == "" {
		cc.LeadID, cc.ListID = c.Lead.LeadID, c.Lead.ListID
	}
	return cc
}

// phone is what the gate knows about one number.
type phone struct {
	InFlight  string         `json:"in_flight,omitempty"`  // intent id of the call holding it
	HoldUntil time.Time      `json:"hold_until,omitempty"` // post-transfer hold
	Attempts  map[string]int `json:"attempts,omitempty"`   // business day → dials
}

// attemptsOn returns the attempts on day.
func (p *phone) attemptsOn(day string) int { return p.Attempts[day] }

// count adds an attempt on day and forgets days older than the previous one.
func (p *phone) count(day string) {
	if p.Attempts == nil {
		p.Attempts = map[string]int{}
	}
	p.Attempts[day]++
	for d := range p.Attempts {
		if d < day && len(p.Attempts) > 2 {
			delete(p.Attempts, d)
		}
	}
}
