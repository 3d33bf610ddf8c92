// Package calls is the one dial gate, the call registry and the per-phone
// attempt ledger (DOMAIN "calls"). Every dial, whatever asked for it, is a
// messages.DialRequest to this actor, so check-and-reserve is atomic by
// construction: requests for one phone go through the gate one at a time.
//
// Owns: the registry (call id → lead ids, phone, caller id, times, state),
// each phone's call in flight, post-transfer hold and attempts on its two
// latest days, each lead's last dial, and the goroutines asking the
// provider. A call keeps the lead's ids only: the provider is given the
// whole lead with the dial. An inbound call gets a registry entry too (kind
// "inbound") when its completion is published, so it is published once and
// can be resent.
//
// In memory is only what is live, so memory follows the calls in flight,
// not a week of traffic (DESIGN §3 "Memory bounds"): a 16-byte hold per
// phone holding a call in flight or a post-transfer hold (holds.go), the
// dials awaiting the provider's answer, the leads dialled within
// calls.duplicate_window (dials.go), and what changed since the last commit
// (a call, a phone record or a call id stays until the commit that stores
// it, then is read back from the state file: settle, index.go). A call in
// flight costs a hold and a pending deadline, under 100 bytes with its
// phone number; its record is read when its completion, its timeout or the
// admin API needs it, a phone's record when the gate checks its attempts.
//
// On disk, the state file's "calls" bucket (persist.go; calls and phones in
// a compact binary encoding, codec.go, JSON of earlier versions read), with
// the journal sequence applied:
//   - call/<intent>: every call until a week after it ended;
//   - cid/<call id> → intent, written when the call ends: a second
//     status, a late completion, a resend and the admin API find an ended
//     call by the provider's id (a call in flight is found through the
//     phone it holds, so a burst of dials writes no key in a random place
//     of the file until its calls end);
//   - pub/<published seq><completed seq> → intent: completions in the order
//     they were published, where a resend starts;
//   - phone/<phone>: the gate's record (read for the daily cap when the
//     phone is not in memory), kept while it holds something or has
//     attempts today;
//   - dialled/<time><counter>: the lead dial log, one key per commit that
//     dialled, in time order; its tail rebuilds the duplicate window at
//     start (dials.go);
//   - meta/next_intent, meta/ahead (the intake's leads dialled ahead of the
//     applied sequence), meta/layout. A state file of an earlier layout is
//     upgraded once at start from its calls (migrate.go).
//
// Start scans the phone records (a day or two of them: the prune keeps no
// older) for those that hold something, reads their calls, the dial log's
// window and the meta keys; ended calls are not read. The prune (prune.go,
// daily) walks the bucket a chunk per message: calls a week after they
// ended with their index keys, dial log entries past the window, idle
// phones with no attempt today.
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
// sequence (LeadSeq, and in meta/ahead until the applied sequence passes
// it), so a restart that reads it again does not dial it twice.
//
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
// The publication index gives where to start: the oldest completion
// published once calls had applied After. Bound: the prune forgets ended
// calls a week after they ended, and with them their completions: a
// consumer behind by more than that is not resent them. Calls completed
// before CompletedSeq was recorded are never resent.
//
// Timers: "pending" (armed for the earliest calls.pending_timeout deadline: a
// silent call becomes unknown and frees its phone), "gate/<ref>" (a gate
// question unanswered for gateTimeout refuses busy), "prune" (daily: forget
// old calls) and "prune/step" (its next chunk), "lookup/<ref>" (an inbound
// call's CRM look-up), "resend/<ref>" (a resend waiting for the consumers'
// mailboxes to drain).
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
