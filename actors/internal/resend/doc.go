// Package resend is a consumer's side of messages.ResendCompletions: how an
// actor that applies messages.CallCompleted gets back, after a restart, the
// completions the calls actor published but it never stored (DESIGN §4,
// "Recovery"; the calls actor's side is actors/calls/resend.go).
//
// What a consumer does:
//
//  1. Record, with its state and in the same commit, the highest
//     CallCompleted.Seq it has applied (store.Bucket.Commit(seq, ...) keeps
//     the maximum). Only completions' sequences: a sequence from another
//     stream (a lead, an SMS reply) could pass a completion not yet
//     received. Apply completions idempotently by call id: some come twice.
//  2. Keep an Asker{Calls: <the calls PID>, Log: ...} per incarnation and,
//     in Started after loading, call Ask(c, applied) with the applied
//     sequence just loaded.
//  3. Route messages.CompletionsResent to Resent(c, m), and Retry (its
//     timer, "resend" in supervision.TimersOf) to Retried(c).
//
// Ask sends ResendCompletions{After: applied, To: self} once the calls actor
// has run its Started (supervision.HasStarted): at a whole-daemon start the
// services before it in the start order (blocklist, amtracker, crm, ...)
// start first, and a message to a PID not yet spawned is a dead letter, one
// to a PID registered but still being spawned panics in the sender, so Ask
// looks again every spawnWait. A CompletionsResent with Err (the journal could not be read, or
// the calls actor stopped or restarted mid-resend) asks again after
// errorWait, from the sequence first asked for: the calls actor held back
// live completions for the resend that failed, and only a resend sends them.
//
// Nothing else is needed: the calls actor sends the resent completions as
// ordinary CallCompleted messages, in journal order, with live ones after
// them, then CompletionsResent.
package resend
