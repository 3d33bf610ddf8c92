package messages

import "time"

// Blocklist fields: what a flag blocks.
const (
	BlockPhone  = "phone"
	BlockLeadID = "lead_id"
)

// BlockFlag is one do-not-call flag. ID is derived from field and value, so
// adding the same flag twice yields the same ID.
type BlockFlag struct {
	ID      string    `json:"id"`
	Field   string    `json:"field"`
	Value   string    `json:"value"` // phones normalised to E.164
	Reason  string    `json:"reason"`
	AddedAt time.Time `json:"added_at"`
	AddedBy string    `json:"added_by"`
}

// CheckBlocked asks whether a phone or a lead may not be contacted; answered
// with BlockStatus. The gate and the SMS sender ask before every contact.
type CheckBlocked struct {
	Phone  Phone
	LeadID string
	Ref    string // echoed in BlockStatus
}

// BlockStatus answers CheckBlocked. Blocked is also true, with Unavailable,
// when the blocklist could not be loaded: it fails closed.
type BlockStatus struct {
	Ref         string
	Blocked     bool
	Unavailable bool
	Flag        *BlockFlag
}

// AddBlock adds a flag (idempotent); answered with BlockAdded.
type AddBlock struct {
	Field   string
	Value   string
	Reason  string
	AddedBy string
}

// BlockAdded answers AddBlock; Created is false when the flag existed.
type BlockAdded struct {
	Flag    BlockFlag
	Created bool
	Err     string
}

// RemoveBlock removes a flag by ID; answered with BlockRemoved.
type RemoveBlock struct{ ID string }

// BlockRemoved answers RemoveBlock.
type BlockRemoved struct {
	Found bool
	Err   string
}

// ListBlocks asks for flags, newest first; answered with BlockList.
type ListBlocks struct {
	Field  string // optional filter
	Limit  int
	Offset int
}

// BlockList answers ListBlocks.
type BlockList struct {
	Flags []BlockFlag `json:"flags"`
	Total int         `json:"total"`
	Err   string      `json:"-"`
}
