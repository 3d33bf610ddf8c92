package messages

import "time"

// EnqueueDial hands the off-hours queue a request the gate refused for hours.
type EnqueueDial struct {
	Request DialRequest
	Reason  string
}

// QueueItem is one queued dial request.
type QueueItem struct {
	ID         string      `json:"id"`
	Request    DialRequest `json:"request"`
	EnqueuedAt time.Time   `json:"enqueued_at"`
	Tries      int         `json:"tries"`
	LastReason string      `json:"last_reason,omitempty"`
}

// GetQueue asks for the queue (oldest first) and its dead letters.
type GetQueue struct{ Limit, Offset int }

// QueueSnapshot answers GetQueue.
type QueueSnapshot struct {
	Items       []QueueItem `json:"items"`
	Total       int         `json:"total"`
	DeadLetters []QueueItem `json:"dead_letters"`
	NextDrain   time.Time   `json:"next_drain"`
}

// ProcessQueue drains one batch now, if business hours are open.
type ProcessQueue struct{}

// QueueProcessed answers ProcessQueue once the batch was handed to the gate.
type QueueProcessed struct {
	Submitted int    `json:"submitted"`
	Skipped   string `json:"skipped,omitempty"` // why nothing was submitted
}

// ClearQueue empties the queue (not the dead letters).
type ClearQueue struct{}

// QueueCleared answers ClearQueue.
type QueueCleared struct{ Removed int }
