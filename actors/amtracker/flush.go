package amtracker

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"go.uber.org/zap"

	"orchestrator/actors/store"
	"orchestrator/supervision"
)

// Counts take effect in memory at once and reach the store in batches: one
// commit (one fsync) per flushEvery, or per maxStaged changed pairs, instead
// of one per completion, which under load kept the mailbox behind the disk.
// A count lost with the process is not lost for good: the batch carries the
// highest completion sequence it holds as applied, so after a crash the
// calls actor resends every completion after the last batch stored.
const (
	flushEvery = 100 * time.Millisecond
	maxStaged  = 1024
	retryEvery = time.Second
)

// flushTick is our own timer's: commit what is staged.
type flushTick struct{}

// stage records a pair's new value for the next commit; only the last
// value of a pair in a batch is encoded, by the flush.
func (t *Tracker) stage(c actor.Context, key string, value *pair, seq uint64) {
	if t.staged == nil {
		t.staged = map[string]*pair{}
	}
	t.staged[key] = value
	t.stagedSeq = max(t.stagedSeq, seq)
	if len(t.staged) >= maxStaged {
		t.flush(c)
		return
	}
	if timers := supervision.TimersOf(c); !timers.Has("flush") {
		timers.After("flush", flushEvery, flushTick{})
	}
}

// flush commits what is staged; a failure keeps it staged and, unless
// stopping (c nil), tries again after retryEvery.
func (t *Tracker) flush(c actor.Context) bool {
	if len(t.staged) == 0 {
		return true
	}
	changes := make([]store.Change, 0, len(t.staged))
	for k, v := range t.staged {
		changes = append(changes, store.Change{Key: k, Value: encode(v)})
	}
	if err := t.d.Bucket.Commit(t.stagedSeq, changes...); err != nil {
		t.d.Log.Error("amtracker counts not stored; kept and retried", zap.Int("pairs", len(changes)), zap.Error(err))
		if c != nil {
			supervision.TimersOf(c).After("flush", retryEvery, flushTick{})
		}
		return false
	}
	clear(t.staged)
	t.stagedSeq = 0
	if c != nil {
		supervision.TimersOf(c).Cancel("flush")
	}
	return true
}
