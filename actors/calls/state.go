package calls

import (
	"time"

	"orchestrator/actors/internal/wire"
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
// provider's id once known. It is kept for a week after the call ended, so
// it holds only what the gate, the completions and the admin API need: of
// the lead, its ids (the provider was given the whole lead with the dial).
type call struct {
	Intent      string            `json:"intent"`
	CallID      string            `json:"call_id,omitempty"`
	Kind        messages.DialKind `json:"kind"`
	Lead        leadRef           `json:"lead"`
	Phone       messages.Phone    `json:"phone"`
	From        string            `json:"from,omitempty"`
	State       string            `json:"state"`
	RequestedAt stamp             `json:"requested_at"`
	DialledAt   stamp             `json:"dialled_at,omitempty"`
	EndedAt     stamp             `json:"ended_at,omitempty"`
	Outcome     messages.Outcome  `json:"outcome,omitempty"`
	Error       string            `json:"error,omitempty"`
	// CompletedSeq is the journal record whose completion was published for
	// this call, and PublishedSeq the sequence calls had applied when it was
	// published: later than CompletedSeq for a completion held back (one
	// that beat its dial's answer, an inbound call waiting for the CRM). A
	// resend (resend.go) finds what it may publish again by them.
	CompletedSeq uint64 `json:"completed_seq,omitempty"`
	PublishedSeq uint64 `json:"published_seq,omitempty"`
	// LeadSeq is the journal record of the lead (or call-back) the intake
	// dialled with this call: a restart that reads that record again, the
	// applied sequence being behind it (intake.go), does not dial it twice.
	LeadSeq uint64 `json:"lead_seq,omitempty"`
}

// leadRef is a call's lead: its ids. Stored as "lead", it reads the whole
// lead earlier versions stored (the other fields are dropped).
type leadRef struct {
	LeadID string `json:"lead_id"`
	ListID string `json:"list_id"`
}

// stamp is an instant as unix nanoseconds, 0 for none: a third of a
// time.Time, and no pointer for the collector to follow.
type stamp int64

func stampOf(t time.Time) stamp {
	if t.IsZero() {
		return 0
	}
	return stamp(t.UnixNano())
}

// Time is the instant, in UTC.
func (s stamp) Time() time.Time {
	if s == 0 {
		return time.Time{}
	}
	return time.Unix(0, int64(s)).UTC()
}

// interned shares the strings every call repeats (states, kinds, outcomes,
// our caller ids) once a call is read back from the state file.
type interned map[string]string

func (in interned) get(s string) string {
	if v, ok := in[s]; ok || s == "" {
		return v
	}
	if len(in) < 1024 { // states, kinds, outcomes and caller ids: a handful
		in[s] = s
	}
	return s
}

func (in interned) call(cl *call) {
	cl.Kind = messages.DialKind(in.get(string(cl.Kind)))
	cl.State = in.get(cl.State)
	cl.Outcome = messages.Outcome(in.get(string(cl.Outcome)))
	cl.From = in.get(cl.From)
	cl.Lead.ListID = in.get(cl.Lead.ListID) // a few lists for many leads
}

// kindInbound marks the registry entry of an inbound call: not dialled by
// us, kept so its completion can be published again (and only once).
const kindInbound messages.DialKind = "inbound"

// since is when the call's calls.pending_timeout runs from: its dial, or
// its intent when the dial's answer never came.
func (c *call) since() time.Time {
	if c.DialledAt != 0 {
		return c.DialledAt.Time()
	}
	return c.RequestedAt.Time()
}

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
	InFlight  string      `json:"in_flight,omitempty"`  // intent id of the call holding it
	HoldUntil stamp       `json:"hold_until,omitempty"` // post-transfer hold
	Attempts  dayAttempts `json:"attempts,omitempty"`   // business day → dials
}

// idle says whether p holds nothing at now: no call in flight, no hold.
// The gate keeps only phones that hold something in memory.
func (p *phone) idle(now time.Time) bool {
	return p.InFlight == "" && !now.Before(p.HoldUntil.Time())
}

// dayAttempts is the dials on the two latest business days with any
// (yyyymmdd, latest first): the daily cap looks at today only, and a map
// per phone would cost more than the rest of it. It reads and writes as the
// map {"YYYY-MM-DD": n}.
type dayAttempts [2]struct{ day, n int32 }

// attemptsOn returns the attempts on day.
func (p *phone) attemptsOn(day string) int {
	d := wire.DayNum(day)
	for _, a := range p.Attempts {
		if a.day == d && d != 0 {
			return int(a.n)
		}
	}
	return 0
}

// count adds an attempt on day; days older than the previous one are
// forgotten.
func (p *phone) count(day string) { p.add(wire.DayNum(day), 1) }

// uncount takes back an attempt counted on day (a dial whose intent was
// not stored).
func (p *phone) uncount(day string) { p.add(wire.DayNum(day), -1) }

func (p *phone) add(d, n int32) {
	a := &p.Attempts
	switch {
	case d == 0:
	case a[0].day == d:
		a[0].n += n
	case a[1].day == d:
		a[1].n += n
	case d > a[0].day:
		a[1], a[0] = a[0], struct{ day, n int32 }{d, n}
	case d > a[1].day:
		a[1] = struct{ day, n int32 }{d, n}
	}
}

// asMap is the attempts as the admin API shows them.
func (a dayAttempts) asMap() map[string]int {
	m := map[string]int{}
	for _, d := range a {
		if d.day != 0 && d.n != 0 {
			m[wire.DayString(d.day)] = int(d.n)
		}
	}
	return m
}
