// Package journal is the durable webhook log (DESIGN §4): every webhook is
// appended here before the gateway answers 2xx.
//
// Owns: the segment files under <data.dir>/journal (one per business day, one
// CRC-framed JSON record per line), the dedupe index, the ring of recent
// records, and the syncer goroutine that writes and fdatasyncs batches.
// Accepts: messages.AppendWebhook (answered with messages.WebhookAppended once
// durable), messages.QueryWebhookLog, messages.ReplayJournal,
// messages.SubscribeJournal (subscribers get messages.JournalAdvanced after
// every durable batch and pull with ReplayJournal), messages.ConfigChanged.
// Timers: "retention" (daily: delete segments older than journal.retention,
// prune dedupe keys older than journal.dedupe_ttl) and "probe" (every
// journal.retry_after while appends fail, to notice the disk is back).
//
// Group commit: appends accumulate in a pending batch while one batch syncs;
// the moment a sync returns, everything that arrived meanwhile is synced as
// the next batch (leader/follower, as etcd and Pebble do), so batches grow
// with load and an idle request waits for one sync only.
package journal
