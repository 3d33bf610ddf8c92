// Package amtracker is the answering-machine tracker: per lead + phone + New
// York (business-zone) calendar day, how many completed calls ended with an
// outcome in amtracker.tracked (VOICEMAIL, NO_ANSWER). The dial gate asks it
// before every dial (rule 6) and refuses with am_cap a lead that has reached
// amtracker.max_per_day today.
//
// Owns: today's counts (and, until the next prune, yesterday's), in memory
// and in the state file's "amtracker" bucket, one record per day + lead +
// phone ("<YYYY-MM-DD>/<lead id>/<phone>", JSON with the counted call ids), so
// counting is idempotent by call_id and survives a restart. A count takes
// effect at once and is committed with the next batch ("flush", every 100 ms
// or 1 024 changed pairs, and at Stopping/Restarting), together with the
// highest completion sequence in it as applied; a count lost with the
// process comes back by the resend below. Memory is bounded by construction: a completion of
// a day older than yesterday is ignored, and the prune keeps today only.
//
// Accepts: messages.CallCompleted (counted when its outcome is tracked, once
// per call_id, on the business day of CompletedAt, or of now when zero),
// messages.CheckAMCap (answered AMCapStatus: by lead id when given, the sum
// over that lead's phones, else by phone), GetAMStats and GetAMRecords (today
// only) and ConfigChanged (the amtracker section: tracked outcomes, cap and
// prune time, which re-arms the prune timer).
//
// Recovery: at start, after loading, the tracker asks the calls actor
// (Deps.Calls, through actors/internal/resend) to resend every completion
// after its applied sequence, so one published just before a crash is still
// counted; counting is idempotent by call id within its day. (A resent
// completion of yesterday after the prune dropped yesterday is counted into a
// new yesterday: harmless, only today's counts are read, and the next prune
// drops it.) Also accepts messages.CompletionsResent.
//
// Timers: "flush" (one-shot, armed by the first count after a commit, or
// after a failed commit), "resend" (while the resend request waits for the calls actor to be
// spawned), "prune" (one-shot at the next amtracker.prune_at in the business
// zone, re-armed after each prune: every day other than today is dropped) and
// "rollover" (one-shot at the next business-zone midnight, re-armed each
// time: the at-cap gauge then counts the new day). At start days older than
// yesterday are dropped, for a daemon that was down at prune time.
package amtracker
