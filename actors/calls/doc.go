// Package calls is the one dial gate, the call registry and the per-phone
// attempt ledger (DOMAIN "calls"). Every dial, whatever asked for it, is a
// messages.DialRequest to this actor, so check-and-reserve is atomic by
// construction: requests for one phone go through the gate one at a time.
//
// Owns: the registry (call id → lead ids, phone, caller id, times, state),
// each phone's call in flight, post-transfer hold and attempts on its two
// latest days; persisted in the state file's "calls" bucket ("call/<intent>",
// "phone/<phone>", a compact binary encoding, codec.go; JSON written by
// earlier versions is read) with the journal sequence applied; each lead's
// last dial, rebuilt from the registry at start; and the goroutines asking
// the provider. A call keeps the lead's ids only: the provider is given the
// whole lead with the dial. An inbound call gets a registry entry too
// (kind "inbound") when its completion is published, so it is published
// once and can be resent.
//
// Commits: changes are staged and committed once the messages already in
// the mailbox are handled (flushSoon), so a burst of dials shares one
// transaction. A dial intent is still durable before the provider is
// asked: reserved dials wait for the commit that stores them (dialStaged);
// one that cannot be stored is refused (failed), and on a stop those not
// yet stored are dropped, never stored as dials cut short.
//
// Intake (intake.go): journal records are taken in order; up to
// intakeWindow leads are in the gate at once (their intents share
// commits), and any other record waits until the leads before it are
// decided. The applied sequence is the last record before the first lead
// still undecided; a lead dialled ahead of it is stored with its journal
// sequence (LeadSeq), so a restart that reads it again does not dial it
// twice.
// Accepts: messages.DialRequest (answered with DialResult to the sender),
// JournalAdvanced and JournalBatch (lead and call-back webhooks become
// DialRequests; completions are matched by call id and published once as
// messages.CallCompleted to every consumer), BlockStatus and AMCapStatus
// (the gate's questions), ResendCompletions, ConfigChanged.
//
// Resend (resend.go, DESIGN §4 "Recovery"): a consumer that restarts asks
// with messages.ResendCompletions{After: its applied sequence, To: itself}
// for every completion calls published from a journal record after After,
// and is sent them again, to it only, in journal order, each rebuilt exactly
// as first published (re-parsed from the journal, phone and lead from the
// registry, inbound ones from their registry entry, the CRM's lead
// included), then messages.CompletionsResent{Through: the applied sequence}.
// Each completed call's registry entry records which record completed it
// (CompletedSeq) and the applied sequence when it was published
// (PublishedSeq), so only completions calls applied and published are sent:
// not a second status of a call, not one still held back (early, or waiting
// for the CRM: it is published normally). A completion held back and
// published after later ones is resent to a consumer whose After is past
// it but not past its publication. The journal is read a page at a time
// from the oldest such completion, with the intake's back-pressure; resends
// to several consumers run at once, a consumer asking again replaces its
// own. While a consumer is resent to, publish leaves it the completions
// past the resend's position: the resend reaches them, so the consumer sees
// journal order and never records as applied a sequence past a completion
// it has yet to get. A journal error ends the resend with Err; stopping or
// restarting ends every resend with Err, so consumers ask again.
// Bound: the prune forgets ended calls a week after they ended, and with
// them their completions: a consumer behind by more than that is not resent
// them. Calls completed before CompletedSeq was recorded are never resent.
//
// Timers: "pending" (armed for the earliest calls.pending_timeout deadline: a
// silent call becomes unknown and frees its phone), "gate/<phone>" (a gate question unanswered
// for gateTimeout refuses busy), "prune" (daily: forget old calls), "resend/<ref>"
// (a resend waiting for the consumers' mailboxes to drain).
//
// The gate, in order: outside business hours → queued (call-backs and SMS
// callbacks dial anyway with business.callbacks_anytime); blocklisted →
// blocked; a call in flight or the post-transfer hold → busy; today's
// attempts ≥ calls.max_daily_per_phone → daily_cap; a new lead or call-back
// for a lead dialled within calls.duplicate_window → duplicate; the
// answering-machine tracker's cap → am_cap; otherwise the dial intent is
// committed before the provider is asked → dialled, or failed (an attempt,
// retried only by the cadence, never by a loop that could double-dial).
// A busy answer's RetryAt is calls.busy_retry, or sooner when the call
// holding the phone gives it up sooner (a dial cut by a crash, released at
// its calls.pending_timeout), so the cadence redials it then.
package calls
