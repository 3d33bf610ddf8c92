// Package blocklist is the do-not-call list: flags on phones and leads,
// checked by the dial gate before every call and by the SMS sender before
// every text.
//
// Owns: the flags (in memory, persisted in the state file's "blocklist"
// bucket before any add or remove is acknowledged).
// Accepts: messages.CheckBlocked, AddBlock, RemoveBlock, ListBlocks,
// CallCompleted (DNC phrases in the transcript or summary flag the phone),
// ConfigChanged.
// Fails closed: while its flags cannot be loaded every check answers blocked
// and /readyz says why.
//
// Recovery: the completions scanned are tracked as an applied sequence (a
// flag added for a phrase commits it with the flag; otherwise it is stored
// within appliedEvery and at stop), and once the flags are loaded the
// calls actor (Deps.Calls) is asked to resend every completion after it
// (actors/internal/resend), so a phrase heard just before a crash is not
// lost. Adding a flag is idempotent, so a completion scanned twice is
// harmless; a phrase on a phone already flagged commits its sequence too, so
// a resend never flags again a phone an operator cleared since.
// Also accepts messages.CompletionsResent.
//
// Timers: "reload" (every reloadEvery while failed), "applied" (one-shot,
// appliedEvery after a completion moved the applied sequence) and "resend"
// (while the resend request waits for the calls actor to be spawned).
package blocklist
