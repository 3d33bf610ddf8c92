// Package queue is the off-hours queue: a persisted FIFO of the DialRequests
// the dial gate refused for hours, drained in batches once business opens.
//
// Owns: the queued items and the dead-letter list, both in the state file's
// "queue" bucket ("q/<id>" and "dl/<n>", JSON messages.QueueItem, plus "seq",
// the last number handed out, so ids are never reused). Ids are zero-padded
// sequence numbers, so bucket key order is FIFO order. Every change is
// committed synchronously before it takes effect in memory.
//
// Accepts: messages.EnqueueDial (a phone already queued is not queued twice:
// the item keeps its position, tries and id and takes the newer request, so
// the lead facts are the latest), messages.DialResult (the gate's answer to a
// re-submission, matched by Ref), messages.ProcessQueue, GetQueue, ClearQueue
// (items only, dead letters stay) and ConfigChanged (the queue section; the
// safety timer is re-armed with the new interval; business hours are
// injected and do not change).
//
// Timers: "opening" (one-shot, armed for the next business-hours opening and
// re-armed for the next day's when it fires) and "safety" (every
// queue.interval). Both start a drain when hours are open.
//
// Draining: a drain walks the queue once, oldest first, submitting
// queue.batch items at a time to the gate as DialRequest{FromQueue, Ref: id}
// with the queue as sender; the next batch goes only when every answer of the
// previous one has arrived, and the walk ends at the tail or when hours close.
// An item is submitted at most once per drain, so refused items wait for the
// next tick instead of being retried in a tight loop. Answers: dialled removes
// the item; blocked moves it to the dead letters; closed (or queued) keeps it
// untouched; any other refusal counts a try, and queue.max_tries tries move it
// to the dead letters. Over queue.max_items the oldest item not in flight is
// dead-lettered ("queue full"); the dead-letter list keeps the newest
// queue.max_dead_letters.
//
// In flight: refs submitted and not yet answered. They are not persisted: a
// ref the gate has not answered within inflightTimeout (the gate restarted) is
// released on the next safety tick, so the item is retried by a later drain.
// An answer is applied to any queued item with that id, in flight or not (a
// late answer, possibly to a previous incarnation, still removes a dialled
// item); an answer for an id no longer queued is logged at debug and ignored.
package queue
