package messages

import "time"

// Webhook source names: the last path element of each webhook URL, and the journal's
// `source` field and metric label, so one spelling serves routing, storage and metrics.
const (
	SourceLead       = "awhealth-outbound"
	SourceCompletion = "bland-callback"
	SourceCallBack   = "call-back"
	SourceSMSReply   = "sms-reply"
)

// Lead is what the CRM tells us about a person; fields the CRM sends that we do not model
// are kept in Extra so a CRM update can echo them back.
type Lead struct {
	LeadID      string            `json:"lead_id"`
	ListID      string            `json:"list_id"`
	Phone       Phone             `json:"phone"`
	FirstName   string            `json:"first_name,omitempty"`
	LastName    string            `json:"last_name,omitempty"`
	State       string            `json:"state,omitempty"`
	Status      string            `json:"status,omitempty"`
	Email       string            `json:"email,omitempty"`
	Address1    string            `json:"address1,omitempty"`
	City        string            `json:"city,omitempty"`
	PostalCode  string            `json:"postal_code,omitempty"`
	DateOfBirth string            `json:"date_of_birth,omitempty"`
	Age         string            `json:"age,omitempty"`
	Extra       map[string]string `json:"extra,omitempty"`
}

// LeadReceived is a new lead pushed by the CRM, delivered by the journal once durable;
// Seq is the journal record it came from, so consumers know what they have applied.
type LeadReceived struct {
	Lead       Lead      `json:"lead"`
	RequestID  string    `json:"request_id"`
	Seq        uint64    `json:"seq"`
	ReceivedAt time.Time `json:"received_at"`
}

// CallbackRequested is the CRM asking for an immediate call to a lead; it is a separate
// type from LeadReceived because the dial gate treats it differently (after hours, duplicates).
type CallbackRequested struct {
	Lead       Lead      `json:"lead"`
	RequestID  string    `json:"request_id"`
	Seq        uint64    `json:"seq"`
	ReceivedAt time.Time `json:"received_at"`
}

// CallCompleted is one finished call, parsed and classified once so every consumer
// (stats, redial, sms, crm, amtracker) sees the same outcome and duration.
//
// Phone is the provider's "to", the customer on an outbound call; the parser cannot tell
// an inbound call (unknown call_id) apart, so the calls actor re-derives Phone from From
// and sets Inbound for those.
type CallCompleted struct {
	Seq          uint64            `json:"seq"`
	CallID       string            `json:"call_id"`
	Phone        Phone             `json:"phone"`
	From         Phone             `json:"from,omitempty"`
	LeadID       string            `json:"lead_id,omitempty"`
	ListID       string            `json:"list_id,omitempty"`
	Outcome      Outcome           `json:"outcome"`
	DurationS    float64           `json:"duration_s"`
	AnsweredBy   string            `json:"answered_by,omitempty"`
	Status       string            `json:"status,omitempty"`
	Answered     bool              `json:"answered"`
	Transferred  bool              `json:"transferred"`
	Summary      string            `json:"summary,omitempty"`
	Transcript   string            `json:"transcript,omitempty"`
	ErrorMessage string            `json:"error_message,omitempty"`
	Tags         []string          `json:"tags,omitempty"`
	Variables    map[string]string `json:"variables,omitempty"`
	CompletedAt  time.Time         `json:"completed_at"`
	Inbound      bool              `json:"inbound"`
}

// SMSReplyReceived is an inbound text from a lead; ReceivedAt is the provider's timestamp
// when it sent one, otherwise zero and filled from the journal record by the consumer.
type SMSReplyReceived struct {
	Seq        uint64    `json:"seq"`
	MessageID  string    `json:"message_id,omitempty"`
	From       Phone     `json:"from"`
	To         Phone     `json:"to,omitempty"`
	Text       string    `json:"text"`
	ReceivedAt time.Time `json:"received_at"`
}
