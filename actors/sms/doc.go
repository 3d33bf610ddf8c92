// Package sms is the SMS drip and the handling of SMS replies (DOMAIN
// "sms").
//
// Owns, in the state file's "sms" bucket (JSON): one sequence per phone
// under "seq/<phone>" (messages.SMSSequence: lead facts, anchor, next
// position, status, the texts with their provider ids), the words of the
// text being sent under "intent/<phone>" (until its answer), the pending reply
// actions under "act/<journal seq>/<kind>", the latest completion applied
// under "meta/completions_seq", and the replies' journal position as the
// bucket's applied sequence. In memory: the sequences by phone, a min-heap of
// due times (stale entries skipped when popped), the texts in flight, the
// cut texts being looked up, and up to 10 000 lead facts of phones with no
// sequence yet.
//
// Decisions are the pure functions of policy.go and zones.go: NextDue (day
// gaps counted in calendar days of the lead's zone, weekdays and hours in
// every zone of the lead's state, the daily cap), Fill (templates), ZoneOf
// (US states, DC and territories; unknown → business zone).
//
// Messages:
//   - messages.CallCompleted (from calls): an outcome in sms.triggers starts
//     a sequence anchored at the completion (not when sms.enabled is off, not
//     for inbound calls); a later trigger keeps the anchor; a finished
//     sequence never restarts. TRANSFERRED, SALE and DNC cancel.
//   - messages.LeadReceived (from calls): lead facts, latest wins.
//   - due texts (the "due" timer, the "sweep" tick): the blocklist is asked
//     (CheckBlocked; blocked → CANCELLED, unavailable → wait), the intent
//     ("sending") is committed, then the provider is asked on a goroutine
//     owned by the actor; its answer comes back as sendDone. A 4xx or a
//     request that never left is retried after sms.retry_interval (cancelled
//     after 5 in a row); any other failure may have sent the text: it is
//     settled like a cut text, below ("uncertain").
//   - cut texts (reconcile.go): an intent without an answer at start (kill
//     -9, stop, restart), or with an unsure one, stays an intent and blocks its sequence until the
//     provider's history (Sender.SMSHistory, asked on each retry tick, the
//     first one sms.retry_interval after the start) tells: found → sent;
//     certainly absent → dropped and due again through the normal path;
//     unreadable → asked again; dry run (no history) → unknown, counted as
//     sent, as before.
//   - replies: pulled from the journal (source sms-reply) with
//     SubscribeJournal / ReplayJournal from the stored position, classified
//     by messages.ClassifyReply; replies from our own numbers are ignored.
//     Opt-out → OPTED_OUT and the actions blocklist, redial, crm DNC;
//     callback → a DialRequest{sms_callback} after sms.callback_delay and
//     crm CB; negative → CANCELLED and crm NI. The sequence change, the
//     actions and the position are one transaction.
//   - reply actions: each asked of its service (AddBlock, CompleteRedial,
//     LookupLead then CRMUpdate, DialRequest) and retried every
//     sms.retry_interval until acknowledged. A call-back is marked
//     requested before it is sent and is never asked twice.
//   - admin: GetSMSStatus, GetSMSSequences, CancelSMS; ConfigChanged.
//   - Started asks calls for the completions published after the latest
//     one applied (resend.Asker: ResendCompletions, CompletionsResent).
//
// Timers: "due" (one-shot, the earliest due text), "sweep" (every
// sms.interval: releases unanswered blocklist questions, sends what is due),
// "retry" (every sms.retry_interval: reply actions, cut text lookups),
// "action" (one-shot, the earliest reply action not yet due), "flush"
// (positions), "pull" (after a journal read error), "resend" (resend.Asker).
package sms
