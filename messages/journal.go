package messages

import (
	"encoding/json"
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// Journal record results: what became of a webhook, as the webhook log
// counts it per day.
const (
	ResultProcessed        = "processed"
	ResultValidationFailed = "validation_failed"
	ResultBlocked          = "blocked"
	ResultFailed           = "failed"
)

// AppendWebhook asks the journal to make one received webhook durable. The
// gateway answers 2xx only after a WebhookAppended without Err.
type AppendWebhook struct {
	Source     string
	RequestID  string
	DedupeKey  string // empty: never a duplicate (validation failures)
	Result     string
	Error      string // the validation problem, for a rejected webhook
	Phone      Phone
	LeadID     string
	CallID     string
	Headers    map[string]string
	Body       []byte // raw, as received; never mutated after sending
	ReceivedAt time.Time
	// Reply, when set, receives the answer instead of the sender's PID. The
	// gateway uses it on its hot path: a buffered channel costs far less than
	// a protoactor future (a registry entry and a timer per request).
	// It must have room for one value, so a late answer never blocks.
	Reply chan<- WebhookAppended
}

// FailReply answers the asker when the journal panicked on this append.
func (m AppendWebhook) FailReply(reason string) {
	if m.Reply != nil {
		select {
		case m.Reply <- WebhookAppended{Err: "journal failed: " + reason}:
		default:
		}
	}
}

// WebhookAppended answers AppendWebhook once the record is on disk (or could
// not be). Duplicate means the dedupe key was already recorded: the webhook
// is acknowledged again but not stored or applied twice.
type WebhookAppended struct {
	Seq       uint64
	Duplicate bool
	Err       string // non-empty: not durable; the gateway answers 429
}

// QueryWebhookLog asks the journal for webhook-log entries, newest first.
// Exactly one of Day (YYYY-MM-DD, business time), Phone or LeadID selects.
type QueryWebhookLog struct {
	Day    string
	Phone  Phone
	LeadID string
	Limit  int
	Offset int
}

// WebhookLogPage answers QueryWebhookLog.
type WebhookLogPage struct {
	Day     string          `json:"date,omitempty"`
	Counts  WebhookDayStats `json:"stats"`
	Total   int             `json:"total_matching"`
	Limit   int             `json:"limit"`
	Offset  int             `json:"offset"`
	Records []WebhookRecord `json:"entries"`
	Err     string          `json:"-"`
}

// WebhookDayStats are one business day's webhook counts.
type WebhookDayStats struct {
	Total              int `json:"total"`
	ValidationFailures int `json:"validation_failures"`
	Blocked            int `json:"blocked"`
	Processed          int `json:"processed"`
	Failed             int `json:"failed"`
}

// WebhookRecord is one webhook-log entry as the admin API shows it.
type WebhookRecord struct {
	Seq        uint64            `json:"seq"`
	ReceivedAt time.Time         `json:"received_at"`
	Source     string            `json:"source"`
	RequestID  string            `json:"request_id"`
	Result     string            `json:"result"`
	Error      string            `json:"error,omitempty"`
	Phone      string            `json:"phone,omitempty"`
	LeadID     string            `json:"lead_id,omitempty"`
	CallID     string            `json:"call_id,omitempty"`
	Headers    map[string]string `json:"headers,omitempty"`
	Body       json.RawMessage   `json:"body,omitempty"`
	BodyText   string            `json:"body_text,omitempty"`
}

// ReplayJournal asks for the journal's durable records after sequence After,
// in order, at most Limit of them, only from Sources when it is not empty.
// It is the one way records reach the domain: a subscriber pulls from what it
// has applied, at start (recovery) and on every JournalAdvanced (live).
type ReplayJournal struct {
	After   uint64
	Limit   int
	Sources []string
	// Ref is echoed in the JournalBatch, so an actor reading the journal for
	// two purposes (the calls actor's intake and its resends) tells the
	// answers apart.
	Ref string
}

// SubscribeJournal asks the journal to send Subscriber a JournalAdvanced now
// and after every durable batch. Subscribing again (after a restart) is
// harmless.
type SubscribeJournal struct {
	Subscriber *actor.PID
}

// JournalAdvanced tells a subscriber that records up to Durable are on disk;
// it pulls what it has not applied with ReplayJournal.
type JournalAdvanced struct {
	Durable uint64
}

// JournalBatch answers ReplayJournal. More says whether records after the
// last one returned exist; ask again with After set to the last Seq.
type JournalBatch struct {
	Records []WebhookRecord
	More    bool
	Err     string
	Ref     string // the request's
}
