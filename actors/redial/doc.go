// Package redial is the cadence engine (DOMAIN "redial"): one record per
// phone, re-dialled through the dial gate at gaps that grow with the
// attempts, under a daily cap by lead age, a lifetime cap and a maximum age,
// only inside business hours.
//
// Owns: the records (messages.RedialRecord), in the state file's "redial"
// bucket as JSON under "rec/<phone>", each with a compact binary index
// entry under "idx/<phone>" (index.go) written in the same transaction.
// In memory only the index entries (status, next due, age, attempts in
// total and on the two latest days, last outcome, reason: what decisions
// need, a hundred-odd bytes a phone) in a map by phone, and a min-heap of
// due times for the pending and daily_cap records. A full record is read
// from the state file when it changes, is dialled (the lead's facts) or is
// listed; a start decodes the index entries only (a state file without
// them is indexed from its records once). Changes are written back
// (persist.go): the changed records wait in memory and are committed
// together once the messages already in the mailbox are handled, so a
// burst shares one transaction; on Stopping whatever waits is committed.
// Heap entries are not removed when a record
// changes: an entry whose due no longer matches its record is skipped when
// popped, and the heap is rebuilt when stale entries outnumber live ones.
// At most redial.max_records records are kept: over it, the completed ones
// updated longest ago are evicted (never a record still in the cadence).
//
// Decisions are the pure functions of policy.go (Gap, DailyCap, Hold,
// NextDue); the actor applies them:
//   - messages.CallCompleted (outbound only): counted once per call id on
//     the completion's business day, outcome recorded, re-planned by NextDue;
//     a paused or completed record counts it and keeps its status. A
//     CALLBACK outcome makes a waiting record a scheduled_callback, due at
//     the time the completion's variables ask for (CallbackAt:
//     callback_time, callback_at or callback_datetime), else after the
//     usual gap; gate refusals keep it one, and the next completion makes
//     it pending again.
//   - lead webhooks, pulled from the journal (intake.go: SubscribeJournal,
//     JournalAdvanced, ReplayJournal of SourceLead records in order, a
//     batch at a time): a new phone gets a pending record created when the
//     lead was received, due Gap(1) later (the gate dials new leads itself;
//     that call's completion re-plans it, and if that dial never happened,
//     cut by a crash, the cadence dials it). Lead facts: latest wins. A
//     completed record is reopened (fresh age and counters) only when
//     completed more than redial.reopen_after before the lead arrived. The
//     records a batch changed and the position reached ("meta/leads") are
//     committed in one transaction, so a restart resumes after the last
//     lead stored and applies each lead once.
//   - due processing (the "due" timer, the "sweep" tick, ProcessRedial):
//     when enabled and business is open, due records are popped earliest
//     first while fewer than redial.max_in_flight requests await an answer;
//     each is re-checked by Hold (caps, age) and sent as a DialRequest
//     {Kind: redial, Ref: phone} with us as sender. The cost is O(k log n)
//     for k due records.
//   - messages.DialResult (by Ref): dialled → due in an hour as a guard
//     until the completion re-plans it; busy → RetryAt or +5 min;
//     queued/closed → the next opening (never now); daily_cap → RetryAt or
//     the next day's opening (status daily_cap); duplicate/am_cap → RetryAt
//     or the next day's opening; blocked → completed; failed → counted as an
//     attempt and re-planned by NextDue. A refusal never brings a record
//     forward of a due a completion set while it was in flight. Records
//     wait in the heap when pending, scheduled_callback or daily_cap.
//   - admin: GetRedialStatus, GetRedialRecords (sorted by next due),
//     PauseRedial, ResumeRedial (re-plans from now; a completed record is
//     reopened), RemoveRedial, ProcessRedial, EnableRedial (until restart or
//     a config change of redial.enabled), ConfigChanged.
//   - messages.CompleteRedial (the sms actor, on an opt-out): the record is
//     completed with the reason given (kept if already completed); a phone
//     without a record answers Found false.
//
// In flight: phones sent to the gate and not yet answered, in memory only. A
// request unanswered for two minutes is released by the sweep and the record
// is dialled again by a later tick (the gate answers "busy" if it did dial).
//
// Recovery: a completion's record is committed with its journal sequence
// as the bucket's applied sequence (a crash before the commit loses both,
// so the completion is resent); at start, after loading, the calls actor
// (Deps.Calls, through actors/internal/resend) is asked to resend every
// completion after it, so one published just before a crash still re-plans
// its record. A resent completion already counted is skipped by its call id
// (the record keeps the last 50). Also accepts messages.CompletionsResent.
//
// Timers: "resend" (while the resend request waits for the calls actor to be
// spawned), "pull" (a journal read that failed, asked again), "due"
// (one-shot, armed for the earliest due record moved into business hours,
// re-armed whenever that changes; outside hours, for the next opening) and
// "sweep" (every redial.process_interval, the safety net; it also asks
// again for a pull of leads the journal never answered, retries a commit
// that failed and stores a lead position that moved alone).
package redial
