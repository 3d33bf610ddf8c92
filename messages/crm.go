package messages

import "time"

// CRMUpdate is one lead update for the CRM outbox. Key makes it idempotent:
// an update whose key is already in the outbox (or was delivered) is not
// queued twice.
type CRMUpdate struct {
	Key        string            `json:"key"` // e.g. "call:<call_id>" or "dnc:<phone>"
	LeadID     string            `json:"lead_id"`
	ListID     string            `json:"list_id,omitempty"`
	Phone      Phone             `json:"phone,omitempty"`
	Status     string            `json:"status"` // CRM status code (Outcome.CRMStatus, "DNC")
	Summary    string            `json:"summary,omitempty"`
	Transcript string            `json:"transcript,omitempty"`
	Fields     map[string]string `json:"fields,omitempty"`
	Seq        uint64            `json:"seq,omitempty"` // journal record behind it
}

// CRMOutboxItem is an update waiting, retrying or parked.
type CRMOutboxItem struct {
	Update    CRMUpdate `json:"update"`
	CreatedAt time.Time `json:"created_at"`
	Tries     int       `json:"tries"`
	LastError string    `json:"last_error,omitempty"`
	NextTry   time.Time `json:"next_try"`
	Parked    bool      `json:"parked"`
}

// GetCRMOutbox asks for the outbox; Parked selects the parked items only.
type GetCRMOutbox struct {
	Parked        bool
	Limit, Offset int
}

// CRMOutbox answers GetCRMOutbox.
type CRMOutbox struct {
	Items   []CRMOutboxItem `json:"items"`
	Pending int             `json:"pending"`
	Parked  int             `json:"parked"`
}

// LookupLead asks the CRM for the leads with a phone (inbound calls).
type LookupLead struct {
	Phone Phone
	Ref   string // echoed in LeadLookup
}

// LeadLookup answers LookupLead.
type LeadLookup struct {
	Ref   string
	Leads []Lead
	Err   string
}
