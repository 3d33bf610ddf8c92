package messages

import "time"

// Redial record statuses.
const (
	RedialPending  = "pending"   // waiting for its next due time
	RedialDailyCap = "daily_cap" // today's cap reached; due at the next day's opening
	RedialPaused   = "paused"    // an operator paused it
	RedialDone     = "completed" // a stop outcome, the lifetime cap, max age or blocklisted
	// RedialScheduledCallback is a lead that asked to be called back (a
	// CALLBACK outcome): due at the time it asked for, else after the usual
	// gap; pending again once that call completes.
	RedialScheduledCallback = "scheduled_callback"
)

// RedialRecord is the cadence's view of one phone.
type RedialRecord struct {
	Phone         Phone          `json:"phone"`
	Lead          Lead           `json:"lead"`
	Status        string         `json:"status"`
	Reason        string         `json:"reason,omitempty"`
	CreatedAt     time.Time      `json:"created_at"`
	NextDue       time.Time      `json:"next_due,omitempty"`
	Attempts      int            `json:"attempts"`
	AttemptsByDay map[string]int `json:"attempts_by_day"`
	LastOutcome   Outcome        `json:"last_outcome,omitempty"`
	Outcomes      []Outcome      `json:"outcomes"` // newest last, at most 20
	Calls         []string       `json:"calls"`    // call ids, newest last, at most 50
	UpdatedAt     time.Time      `json:"updated_at"`
}

// GetRedialStatus asks for the cadence's counts; answered with RedialStatus.
type GetRedialStatus struct{}

// RedialStatus answers GetRedialStatus, EnableRedial and ProcessRedial.
type RedialStatus struct {
	Enabled  bool           `json:"enabled"`
	Counts   map[string]int `json:"counts"` // by status
	DueNow   int            `json:"due_now"`
	NextDue  time.Time      `json:"next_due,omitempty"`
	InFlight int            `json:"in_flight"`
}

// GetRedialRecords lists records sorted by next due; Status filters, Ready
// keeps only those due now.
type GetRedialRecords struct {
	Status        string
	Ready         bool
	Limit, Offset int
}

// RedialRecords answers GetRedialRecords.
type RedialRecords struct {
	Records []RedialRecord `json:"records"`
	Total   int            `json:"total"`
}

// PauseRedial, ResumeRedial and RemoveRedial change one phone's record;
// answered with RedialChanged.
type (
	PauseRedial  struct{ Phone Phone }
	ResumeRedial struct{ Phone Phone }
	RemoveRedial struct{ Phone Phone }
)

// RedialChanged answers a pause, resume or remove.
type RedialChanged struct {
	Found  bool          `json:"found"`
	Record *RedialRecord `json:"record,omitempty"`
}

// ProcessRedial runs the due records now (inside business hours).
type ProcessRedial struct{}

// EnableRedial turns the cadence on or off; records keep their state.
type EnableRedial struct{ Enabled bool }

// CompleteRedial ends a phone's cadence (an SMS opt-out); answered with
// RedialChanged. Found false means the phone has no record: nothing will
// dial it, so the asker counts that as done too.
type CompleteRedial struct {
	Phone  Phone
	Reason string
}
