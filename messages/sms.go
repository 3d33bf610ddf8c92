package messages

import "time"

// SMS sequence statuses (DOMAIN "sms").
const (
	SMSActive    = "ACTIVE"    // texts still to send
	SMSCompleted = "COMPLETED" // every template sent
	SMSCancelled = "CANCELLED" // a stop outcome, a blocklisted phone, a negative reply or an operator
	SMSOptedOut  = "OPTED_OUT" // the lead replied STOP (or a variant)
)

// States of one text of a sequence.
const (
	SMSSending = "sending" // intent recorded, the provider has not answered yet
	SMSSent    = "sent"    // the provider accepted it
	// SMSUnknown is an intent whose run ended before the provider answered:
	// it may have been sent, so it counts as sent and is never sent again.
	SMSUnknown = "unknown"
)

// SMSLead is what a sequence knows of its lead: enough to fill a template,
// to find the zone of its texting hours, and to update the CRM.
type SMSLead struct {
	LeadID    string `json:"lead_id,omitempty"`
	ListID    string `json:"list_id,omitempty"`
	FirstName string `json:"first_name,omitempty"`
	LastName  string `json:"last_name,omitempty"`
	State     string `json:"state,omitempty"`
}

// SMSMessage is one text of a sequence.
type SMSMessage struct {
	Position  int       `json:"position"`
	State     string    `json:"state"`
	MessageID string    `json:"message_id,omitempty"`
	At        time.Time `json:"at"`
}

// SMSSequence is the drip of one phone.
type SMSSequence struct {
	Phone  Phone     `json:"phone"`
	Lead   SMSLead   `json:"lead"`
	Anchor time.Time `json:"anchor"` // the first triggering completion; message N is due DayGaps[N] days after its date
	Next   int       `json:"next_position"`
	Status string    `json:"status"`
	Reason string    `json:"reason,omitempty"`
	// NextDue is when the next text may go (zero when none will).
	NextDue   time.Time    `json:"next_due,omitempty"`
	Messages  []SMSMessage `json:"messages"`
	Failures  int          `json:"failures,omitempty"` // provider refusals of the next text in a row
	LastReply SMSReplyKind `json:"last_reply,omitempty"`
	RepliedAt time.Time    `json:"replied_at,omitempty"`
	CreatedAt time.Time    `json:"created_at"`
	UpdatedAt time.Time    `json:"updated_at"`
}

// GetSMSStatus asks for the drip's counts; answered with SMSStatus.
type GetSMSStatus struct{}

// SMSStatus answers GetSMSStatus.
type SMSStatus struct {
	Enabled        bool           `json:"enabled"`
	Counts         map[string]int `json:"counts"`     // sequences by status
	SentToday      int            `json:"sent_today"` // texts on the business day
	NextDue        time.Time      `json:"next_due,omitempty"`
	InFlight       int            `json:"in_flight"`
	PendingActions int            `json:"pending_actions"` // reply actions not yet acknowledged
}

// GetSMSSequences lists sequences, newest first; Status filters.
type GetSMSSequences struct {
	Status        string
	Limit, Offset int
}

// SMSSequences answers GetSMSSequences.
type SMSSequences struct {
	Sequences []SMSSequence `json:"sequences"`
	Total     int           `json:"total"`
}

// CancelSMS cancels a phone's sequence; answered with SMSChanged.
type CancelSMS struct{ Phone Phone }

// SMSChanged answers CancelSMS; Found is false when the phone has no sequence.
type SMSChanged struct {
	Found    bool         `json:"found"`
	Sequence *SMSSequence `json:"sequence,omitempty"`
}

// Reply actions: what the sms actor does about an inbound text, in the words
// the sms-reply webhook answers with.
const (
	ActionBlocklist       = "blocklist"
	ActionSMSOptedOut     = "sms_opted_out"
	ActionRedialCompleted = "redial_completed"
	ActionCRMDNC          = "crm_dnc"
	ActionCallback        = "callback_scheduled"
	ActionCRMCallback     = "crm_cb"
	ActionSMSCancelled    = "sms_cancelled"
	ActionCRMNotInterest  = "crm_ni"
)

// ReplyActions lists the actions a reply of kind k leads to. The gateway
// answers with it and the sms actor carries each out (retried until done),
// so the two can never disagree.
func ReplyActions(k SMSReplyKind) []string {
	switch k {
	case ReplyOptOut:
		return []string{ActionBlocklist, ActionSMSOptedOut, ActionRedialCompleted, ActionCRMDNC}
	case ReplyCallback:
		return []string{ActionCallback, ActionCRMCallback}
	case ReplyNegative:
		return []string{ActionSMSCancelled, ActionCRMNotInterest}
	}
	return []string{}
}
