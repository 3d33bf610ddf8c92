package messages

import "time"

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
