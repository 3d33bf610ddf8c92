// Package calls is the one dial gate, the call registry and the per-phone
// attempt ledger (DOMAIN "calls"). Every dial, whatever asked for it, is a
// messages.DialRequest to this actor, so check-and-reserve is atomic by
// construction: requests for one phone go through the gate one at a time.
//
// Owns: the registry (call id → lead, phone, caller id, times, state), each
// phone's call in flight, post-transfer hold and attempts per day, each
// lead's last dial; all persisted in the state file's "calls" bucket with
// the journal sequence applied, and the goroutines asking the provider.
// Accepts: messages.DialRequest (answered with DialResult to the sender),
// JournalAdvanced and JournalBatch (lead and call-back webhooks become
// DialRequests; completions are matched by call id and published once as
// messages.CallCompleted to every consumer), BlockStatus and AMCapStatus
// (the gate's questions), ConfigChanged.
// Timers: "pending" (armed for the earliest calls.pending_timeout deadline: a
// silent call becomes unknown and frees its phone), "gate/<phone>" (a gate question unanswered
// for gateTimeout refuses busy), "prune" (daily: forget old calls).
//
// The gate, in order: outside business hours → queued (call-backs and SMS
// callbacks dial anyway with business.callbacks_anytime); blocklisted →
// blocked; a call in flight or the post-transfer hold → busy; today's
// attempts ≥ calls.max_daily_per_phone → daily_cap; a new lead or call-back
// for a lead dialled within calls.duplicate_window → duplicate; the
// answering-machine tracker's cap → am_cap; otherwise the dial intent is
// committed before the provider is asked → dialled, or failed (an attempt,
// retried only by the cadence, never by a loop that could double-dial).
package calls
