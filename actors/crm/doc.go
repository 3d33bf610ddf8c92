// Package crm is the CRM outbox (DOMAIN "crm"): lead updates (status,
// call summary and transcript, a few fields) persisted and delivered to the
// CRM with retries, and look-ups of leads by phone.
//
// Owns: the outbox (pending and parked updates) and the keys delivered in the
// last 7 days (in memory only as hashes), in memory and in the state file's
// "crm" bucket, where records are a compact binary encoding (codec.go; the
// JSON of earlier versions is still read).
//
// Group commit (leader/follower, as the journal): new updates and delivery
// results are staged; one commit at a time writes everything staged in one
// transaction (one fsync) from a goroutine owned by the actor, recording the
// highest CallCompleted.Seq handled as applied (only completions': see
// Recovery). With no commit
// running, the first change staged sends the actor a flushNow, which comes
// out of the mailbox after the backlog already in it; with one running, the
// next starts as soon as it returns. So batches grow with the load and the
// mailbox does not wait for fsyncs, except when maxStaged changes pile up
// behind a slow disk, and at Stopping/Restarting, which commit what is
// staged. A requester is answered only after the commit that stored its
// update (messages.Failed if it failed, and the update is forgotten); an
// update from a completed call is delivered once committed too, so a crash
// cannot deliver it, lose it, and have its resent completion deliver it
// again (only while the store is failing is it delivered at once). A failed
// commit keeps its other changes staged and is tried again after
// flushRetry; while it fails, past maxStaged changes new updates are
// refused ("store_failed").
//
// Memory: once committed, an update keeps only its key and delivery state
// in memory (a few hundred bytes); the update itself, with its summary and
// transcript of up to 8 KiB each, is read from the store when it is
// delivered, listed or answered. The exception is the common case: up to
// maxKept committed updates waiting for their first delivery keep their
// update, so a CRM that keeps up never has one read back. A delivery hands
// the update to its goroutine, which brings it back if the try fails, so
// the retry state is stored without a read either. Pending updates wait in
// a FIFO (new, due at once) or a min-heap by NextTry (retries, and
// everything loaded at start), so picking the next delivery costs
// O(log n). A delivered key is not kept in memory: only a 64-bit hash of
// it (hash/maphash, seeded per process) and its delivery time, in a map
// (about 25 bytes a key, 2.5 MB for crm.max_items' 100 000). The key is in
// the store, in a record "sent:<delivery time, Unix ns, 16 hex
// digits>:<key>", so records sort oldest first and are forgotten by a
// cursor scan. A hash found counts only once that record is found, staged
// or stored (one bbolt read per duplicate); the rare key whose hash is
// another delivered key's is kept whole in a small map. Delivery times
// only increase: a clock set back stamps the next delivery just after the
// last. Records of earlier versions ("sent:<key>") are rewritten at start,
// in one transaction.
//
// Accepts:
//   - messages.CallCompleted: becomes an update keyed "call:<call_id>" with
//     the outcome's CRM status; skipped (Debug) when the call has no lead.
//   - messages.CRMUpdate: queued as given (an SMS opt-out is Status "DNC",
//     Key "dnc:<phone>"). A requester is answered with the
//     messages.CRMOutboxItem as stored: for a duplicate of a queued key, the
//     queued item; for a key delivered within 7 days, the given update with
//     CreatedAt = the delivery time and a zero NextTry (nothing left to do).
//     An update that was not queued (outbox full, invalid, store failure) is
//     answered with messages.Failed, which askers already treat as "not
//     done, try again" (Actor "crm", Reason says why).
//   - messages.CompletionsResent (the resend asked for at start is done).
//   - messages.GetCRMOutbox (answered by messages.CRMOutbox),
//     messages.LookupLead (answered by messages.LeadLookup, from the look-up's
//     own goroutine), messages.ConfigChanged.
//
// Idempotent by Key: a key already in the outbox, parked included, or
// delivered within the last 7 days is counted "duplicate" and not queued
// twice. The outbox is bounded by crm.max_items (pending plus parked); past
// it a new update is refused loudly (Error log, "refused_full"). Delivered
// keys are forgotten after 7 days, or earlier, oldest first and with a Warn,
// when more than crm.max_items of them are remembered.
//
// Delivery: at most maxInFlight updates at once, each in a goroutine owned by
// the actor with a context derived from Deps.Context; the goroutine sends its
// result back as a message, so a slow or failing CRM never blocks the
// mailbox. Stopping and Restarting cancel those contexts and wait for the
// goroutines; an update whose delivery was cancelled stays pending and is
// sent again by the next incarnation (a lead update is idempotent). Every
// failure counts as a try, a "success": false refusal (convoso.ErrRejected)
// included: the CRM may accept it once an operator has fixed the lead. The
// next try is backoff(tries) later (crm.retry_min doubling up to
// crm.retry_max, jittered), or later still when the CRM asked for it with
// Retry-After; after crm.max_tries the update is parked (Warn) and listed by
// GetCRMOutbox{Parked: true} for an operator.
//
// Recovery: at start, after loading, the outbox asks the calls actor
// (Deps.Calls, through actors/internal/resend) to publish again every
// completion after the applied sequence: one published just before a crash
// but never committed here is then not lost. A resent completion whose
// "call:<call_id>" is queued or was delivered is a duplicate.
//
// Timers: "retry" (one-shot, armed for the earliest NextTry among pending
// updates, re-armed when that changes), "flush" (one-shot, flushRetry after
// a failed commit), "sweep" (every minute: a safety net for delivery, and
// forgetting delivered keys older than 7 days) and "resend" (while the
// resend request waits for the calls actor to be spawned).
//
// Secrets: error texts are scrubbed of anything that follows "auth_token"
// and of phone-shaped digit runs before they are logged or stored.
package crm
