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
// and /readyz says why. Timers: "reload" (every reloadEvery while failed).
package blocklist
