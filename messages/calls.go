package messages

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// DialKind says who asked for a dial; the gate treats them differently
// (after hours, duplicates).
type DialKind string

// Dial kinds.
const (
	DialNewLead     DialKind = "new_lead"     // a lead webhook
	DialCallBack    DialKind = "call_back"    // the CRM's call-back webhook
	DialRedial      DialKind = "redial"       // the cadence engine
	DialSMSCallback DialKind = "sms_callback" // an SMS reply asking for a call
	DialAdmin       DialKind = "admin"        // an operator
)

// DialRequest asks the calls actor, the one dial gate, to call a lead. It is
// answered with a DialResult to the sender (Ref echoed), possibly later: a
// dial answers once the provider has.
type DialRequest struct {
	Kind      DialKind
	Lead      Lead // Lead.Phone is the number dialled
	RequestID string
	Seq       uint64 // the journal record it came from; 0 when none
	// FromQueue marks a re-submission by the off-hours queue: outside hours
	// it is answered DialClosed instead of being queued again.
	FromQueue bool
	Ref       string // opaque to the gate, echoed in DialResult
}

// DialResultCode is the gate's answer; every refusal has its own code.
type DialResultCode string

// Gate answers, in the gate's order.
const (
	DialQueuedOffHours DialResultCode = "queued"    // outside business hours: handed to the off-hours queue
	DialClosed         DialResultCode = "closed"    // outside business hours, asked by the queue itself
	DialBlocked        DialResultCode = "blocked"   // blocklisted phone or lead
	DialBusy           DialResultCode = "busy"      // a call in flight or the post-transfer hold
	DialDailyCap       DialResultCode = "daily_cap" // calls.max_daily_per_phone reached today
	DialDuplicate      DialResultCode = "duplicate" // the same lead dialled within calls.duplicate_window
	DialAMCap          DialResultCode = "am_cap"    // the answering-machine tracker's cap today
	DialDialled        DialResultCode = "dialled"   // the provider accepted the call
	DialFailed         DialResultCode = "failed"    // the provider refused or failed; counted as an attempt
)

// DialResult answers a DialRequest.
type DialResult struct {
	Ref     string
	Code    DialResultCode
	Reason  string
	CallID  string
	RetryAt time.Time // when a refusal can sensibly be retried (busy, daily_cap, closed)
}

// CallInfo is one registry entry as the admin API shows it.
type CallInfo struct {
	CallID      string    `json:"call_id,omitempty"`
	Intent      string    `json:"intent"`
	Kind        DialKind  `json:"kind"`
	LeadID      string    `json:"lead_id,omitempty"`
	ListID      string    `json:"list_id,omitempty"`
	Phone       Phone     `json:"phone"`
	From        string    `json:"from,omitempty"`
	State       string    `json:"state"`
	RequestedAt time.Time `json:"requested_at"`
	DialledAt   time.Time `json:"dialled_at,omitempty"`
	EndedAt     time.Time `json:"ended_at,omitempty"`
	Outcome     Outcome   `json:"outcome,omitempty"`
	Error       string    `json:"error,omitempty"`
}

// GetActiveCalls asks for the calls holding a phone; answered with CallList.
type GetActiveCalls struct{}

// CallList answers GetActiveCalls.
type CallList struct {
	Calls []CallInfo `json:"calls"`
}

// GetCall asks for one call by provider call id; answered with CallLookup.
type GetCall struct{ CallID string }

// CallLookup answers GetCall.
type CallLookup struct {
	Found bool
	Call  CallInfo
}

// GetPhoneHistory asks what the gate knows of a phone; answered with PhoneHistory.
type GetPhoneHistory struct{ Phone Phone }

// PhoneHistory answers GetPhoneHistory: attempts per business day, the call
// holding it, the post-transfer hold, and its recent calls, newest first.
type PhoneHistory struct {
	Phone     Phone          `json:"phone"`
	Attempts  map[string]int `json:"attempts_by_day"`
	InFlight  string         `json:"in_flight,omitempty"`
	HoldUntil time.Time      `json:"hold_until,omitempty"`
	Calls     []CallInfo     `json:"calls"`
}

// ResendCompletions asks the calls actor to publish again, to To only and in
// journal order, every completion it published from journal records after
// After. A consumer sends it when it starts, with the sequence it has
// applied: a completion published just before a crash, but never stored by
// that consumer, is then not lost. Consumers are idempotent by call id, so a
// resent completion they had applied is harmless. When the resend has caught
// up, To gets a CompletionsResent.
type ResendCompletions struct {
	After uint64
	To    *actor.PID
}

// CompletionsResent tells a consumer its resend is complete up to Through.
// With Err it ended unfinished (the journal could not be read, or the calls
// actor stopped or restarted): completions published meanwhile were left to
// it, so the consumer must ask again, from the same After
// (actors/internal/resend does).
type CompletionsResent struct {
	Through uint64
	Err     string
}
