// Package stats keeps the call statistics (DOMAIN "stats"): per business-zone
// calendar day, the counters of Apply (total, completed, failed, answered,
// transferred, voicemail, no answer, busy, not interested, callback
// requested) and, when asked, their rates (Rates: transfer = connectivity =
// transferred / answered, success = completed / total, percent, two
// decimals).
//
// Counted: every messages.CallCompleted the calls actor publishes, inbound
// calls included (as the old service did: an inbound call is work the centre
// handled), once per call_id, on the business day of CompletedAt (the
// provider's end time, else when the webhook was received). The first
// completion of a call id wins; a later one with another outcome is skipped.
//
// Owns: every day's counters, and the call ids counted, in memory and in the
// state file's "stats" bucket ("day/<date>" JSON counters, "id/<date>/<call
// id>" the completion's journal sequence). A call id is remembered while its
// day is within stats.dedupe_days business days of today, and after that for
// as long as its journal record is after the applied sequence (it can still
// be delivered again); the days' counters are kept for ever (a few hundred
// bytes a day).
//
// Batched writes (DESIGN §4): a completion changes memory at once; the first
// change after a commit arms the "flush" timer (flushEvery), and the flush
// writes every changed day, new call id and pruned id in one transaction with
// the highest journal sequence handled as applied. maxBatch waiting call ids
// flush at once; Stopping and Restarting flush what is left. A failed commit
// keeps the batch, is retried after retryEvery, and applied does not move.
//
// Recovery: a completion counts once it is committed or will be resent. At
// Started, after loading, the actor asks the calls actor through
// actors/internal/resend (messages.ResendCompletions{After: applied}, sent
// once the calls actor, which starts after us, is spawned) for every
// completion it published after the applied sequence; the resent ones arrive
// as ordinary CallCompleted and are deduplicated by call id. Until
// messages.CompletionsResent says the resend is complete, commits keep the
// applied sequence where it was, so a crash mid-resend asks for it all
// again; a failed resend is asked for again.
//
// Accepts: messages.CallCompleted, messages.GetDayStats (answered
// DayStatsResult; today when Date is empty), messages.GetStatsRange (answered
// StatsRange: each calendar date once, DST-safe, at most
// messages.MaxStatsRangeDays), messages.GetAllTimeStats (answered
// AllTimeStats), messages.CompletionsResent and resend.Retry (recovery),
// messages.ConfigChanged (the stats section: the dedupe window applies from
// the next flush).
//
// Timers: "flush" (one-shot, flushEvery after the first change since a
// commit, or retryEvery after a failed one) and the Asker's "resend"
// (one-shot, while the resend request waits for the calls actor, or after a
// failed resend).
//
// `orchestrator stats rebuild` recomputes days from the journal with the same
// Apply and writes them with Replace while no daemon runs. It deduplicates by
// call id over the whole journal, where the live actor remembers ids for the
// dedupe window only: a call id repeated more than dedupe_days apart counts
// twice live and once rebuilt.
package stats
