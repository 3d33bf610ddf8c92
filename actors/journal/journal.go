package journal

import (
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"go.uber.org/zap"

	"orchestrator/config"
	"orchestrator/messages"
	"orchestrator/supervision"
)

// Deps is what the journal needs; main builds it.
type Deps struct {
	Log       *zap.Logger
	Cfg       config.Journal
	DataDir   string         // segments go under DataDir/journal
	Location  *time.Location // business time zone: segment days
	Metrics   *Metrics
	Readiness *supervision.Readiness
	// open replaces how segment files are opened; tests inject disk faults.
	open func(path string, flag int) (writeFile, error)
}

// Journal is the webhook log actor.
type Journal struct {
	d      Deps
	dir    string
	timers *supervision.Timers

	seq     uint64 // last sequence number handed out
	durable uint64 // every record up to here is synced
	dedupe  *dedupe
	recent  *recent
	today   string
	counts  DayCounts // today's, kept current so "today" needs no scan

	pending  *batch   // filling while inflight syncs
	spare    [][]byte // encode buffers of synced batches, for the next ones
	inflight *batch
	work     chan *batch
	results  chan *batch
	stopped  chan struct{} // closed when the syncer has exited
	failing  bool
	closing  bool
	send     func(*actor.PID, interface{}) // replies, also from close

	reads       sync.WaitGroup        // query and replay goroutines
	subscribers map[string]*actor.PID // told of every durable batch
	cursors     *cursors              // where replays stopped; survives nothing but this incarnation
	lag         *readerLag            // how far each subscriber's reads are behind
}

// Timer and internal messages; only this actor sends them.
type (
	retentionTick struct{}
	probeTick     struct{}
	syncDone      struct{}
)

// IgnoreDeadLetterLogging: a doorbell can outlive a stopping journal harmlessly.
func (syncDone) IgnoreDeadLetterLogging() {}

// Producer makes a fresh Journal for each incarnation.
func Producer(d Deps) actor.Producer {
	return func() actor.Actor { return &Journal{d: d, dir: filepath.Join(d.DataDir, "journal")} }
}

// Receive dispatches the journal's messages.
func (j *Journal) Receive(c actor.Context) {
	switch m := c.Message().(type) {
	case *actor.Started:
		j.open(c)
	case *actor.Stopping, *actor.Restarting:
		j.close()
	case *actor.Stopped:
	case messages.AppendWebhook:
		j.append(c, m)
	case syncDone:
		j.collect()
	case messages.QueryWebhookLog:
		j.query(c, m)
	case messages.ReplayJournal:
		j.replay(c, m)
	case messages.SubscribeJournal:
		j.subscribe(m)
	case retentionTick:
		j.enforceRetention()
	case probeTick:
		j.probe()
	case messages.ConfigChanged:
		j.d.Cfg = m.Config.Journal
	default:
		j.d.Log.Warn("unhandled message", zap.String("type", fmt.Sprintf("%T", m)))
	}
}

// open recovers the segments (truncating a torn tail), rebuilds the dedupe
// index and recent ring, and starts the syncer. A journal that cannot open
// panics: the supervisor retries with backoff, then stops the daemon.
func (j *Journal) open(c actor.Context) {
	j.d.Readiness.Set(supervision.Journal, false, "opening the journal")
	began := time.Now()
	st, err := openDir(j.dir, j.d.Log, recoverOptions{
		now: began, dedupeTTL: j.d.Cfg.DedupeTTL, recentMax: j.d.Cfg.RecentMax, recentMaxBytes: int(j.d.Cfg.RecentMaxBytes),
	})
	if err != nil {
		j.d.Readiness.Set(supervision.Journal, false, "cannot open the journal: "+err.Error())
		panic(fmt.Errorf("journal: open %s: %w", j.dir, err))
	}
	j.seq, j.durable, j.dedupe, j.recent = st.lastSeq, st.lastSeq, st.dedupe, st.recent
	j.subscribers, j.cursors, j.lag = map[string]*actor.PID{}, &cursors{}, newReaderLag(j.d.Metrics.lag)
	j.today = dayOf(began, j.d.Location)
	if j.counts, err = countDay(j.dir, j.today); err != nil {
		j.d.Log.Error("journal: cannot count today's records; today's counts start at zero", zap.Error(err))
	}
	w := newSegmentWriter(j.dir)
	if j.d.open != nil {
		w.open = j.d.open
	}
	j.work, j.results, j.stopped = make(chan *batch, 1), make(chan *batch, 1), make(chan struct{})
	self, root := c.Self(), c.ActorSystem().Root
	j.send = root.Send
	go syncer(w, j.work, j.results, j.stopped, func() { root.Send(self, syncDone{}) })

	j.timers = supervision.TimersOf(c)
	j.timers.Every("retention", 24*time.Hour, retentionTick{})
	c.Send(c.Self(), retentionTick{}) // and once now
	j.d.Readiness.Set(supervision.Journal, true, "")
	j.d.Log.Info("journal opened", zap.String("dir", j.dir), zap.Uint64("last_seq", st.lastSeq),
		zap.Int("records", st.records), zap.Int("segments", len(st.days)), zap.Int("corrupt_lines", st.corrupt),
		zap.Int64("truncated_bytes", st.truncated), zap.Int("dedupe_keys", st.dedupe.len()),
		zap.Duration("took", time.Since(began)))
}

// close finishes every batch already accepted (each waiter gets its answer),
// stops the syncer and closes the segment. Timers were cancelled by the
// middleware; query goroutines are waited for.
func (j *Journal) close() {
	if j.work == nil {
		return // never opened
	}
	j.closing = true
	for j.inflight != nil {
		j.complete(<-j.results)
	}
	close(j.work)
	<-j.stopped
	j.reads.Wait()
	j.d.Log.Info("journal closed", zap.Uint64("last_seq", j.seq), zap.Uint64("durable_seq", j.durable))
	j.work = nil
}
