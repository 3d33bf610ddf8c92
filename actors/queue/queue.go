package queue

import (
	"container/list"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"go.uber.org/zap"

	"orchestrator/actors/businesshours"
	"orchestrator/actors/store"
	"orchestrator/config"
	"orchestrator/messages"
	"orchestrator/supervision"
)

// Deps is what the off-hours queue needs; main builds it.
type Deps struct {
	Log      *zap.Logger
	Cfg      config.Queue
	Schedule *businesshours.Schedule // business hours in force; changed at run time by SetSchedulerConfig
	Bucket   *store.Bucket
	Calls    *actor.PID // the dial gate
	Metrics  *Metrics
}

// Queue is the off-hours queue actor.
type Queue struct {
	d       Deps
	items   *list.List // of *messages.QueueItem, oldest first
	byID    map[string]*list.Element
	byPhone map[messages.Phone]*list.Element
	dead    []deadLetter // oldest first
	seq     uint64       // last number handed out to an item id or a dead-letter key

	inflight map[string]time.Time // ref → submitted at
	draining bool                 // a drain is walking the queue
	next     *list.Element        // the drain's next item to submit

	nextOpening time.Time
	nextSafety  time.Time
}

// deadLetter is an item given up on, under its own key so the list keeps the
// order in which items died.
type deadLetter struct {
	key  string
	item messages.QueueItem
}

// Timer messages: only our own timers send them.
type (
	openingTick struct{}
	safetyTick  struct{}
)

const (
	// inflightTimeout releases a submitted ref the gate never answered (it
	// restarted and lost our request); a dial answers within the provider's
	// timeout and retries, well under this.
	inflightTimeout = 2 * time.Minute
	// listedDeadLetters bounds the dead letters in a QueueSnapshot.
	listedDeadLetters = 100
	defaultLimit      = 100
	maxLimit          = 1000

	itemPrefix = "q/"
	deadPrefix = "dl/"
	seqKey     = "seq"

	skippedClosed   = "outside business hours"
	skippedInFlight = "a batch is in flight"
	skippedEmpty    = "queue empty"
)

// Producer makes a fresh Queue for each incarnation; it loads its state in Started.
func Producer(d Deps) actor.Producer {
	return func() actor.Actor { return &Queue{d: d} }
}

// Receive dispatches the queue's messages.
func (q *Queue) Receive(c actor.Context) {
	switch m := c.Message().(type) {
	case *actor.Started:
		q.start(c, time.Now())
	case *actor.Stopping:
		q.stopping()
	case *actor.Stopped, *actor.Restarting:
	case openingTick:
		q.opening(c, time.Now())
	case safetyTick:
		q.safety(c, time.Now())
	case messages.EnqueueDial:
		q.enqueue(m, time.Now())
	case messages.DialResult:
		q.result(c, m, time.Now())
	case messages.ProcessQueue:
		c.Respond(q.process(c, time.Now()))
	case messages.GetQueue:
		c.Respond(q.snapshot(m, time.Now()))
	case messages.GetSchedulerConfig:
		c.Respond(messages.SchedulerConfig{Business: q.d.Schedule.Config()})
	case messages.SetSchedulerConfig:
		c.Respond(q.setSchedule(c, m, time.Now()))
	case messages.ClearQueue:
		c.Respond(q.clear())
	case messages.ConfigChanged:
		q.reconfigure(c, m.Config.Queue, time.Now())
	case messages.Failed:
		q.gateFailed(m)
	case *actor.DeadLetterResponse:
		q.d.Log.Warn("a request to the dial gate was not delivered; its item is retried once released")
	default:
		q.d.Log.Warn("unhandled message", zap.String("type", fmt.Sprintf("%T", m)))
	}
}

// start loads the queue, arms both timers and drains at once if hours are open.
func (q *Queue) start(c actor.Context, now time.Time) {
	if err := q.load(); err != nil {
		// The state file cannot be read: let the supervisor restart us rather
		// than run on an empty queue whose ids would collide with the stored ones.
		panic(err)
	}
	q.d.Log.Info("queue loaded", zap.Int("items", q.items.Len()), zap.Int("dead_letters", len(q.dead)))
	supervision.TimersOf(c).Every("safety", q.d.Cfg.Interval, safetyTick{})
	q.nextSafety = now.Add(q.d.Cfg.Interval)
	q.armOpening(c, now)
	q.drain(c, now)
}

func (q *Queue) stopping() {
	q.d.Log.Info("queue stopped", zap.Int("items", q.items.Len()), zap.Int("dead_letters", len(q.dead)),
		zap.Int("in_flight", len(q.inflight)))
}

func (q *Queue) reconfigure(c actor.Context, cfg config.Queue, now time.Time) {
	changed := cfg.Interval != q.d.Cfg.Interval
	q.d.Cfg = cfg
	if changed {
		supervision.TimersOf(c).Every("safety", cfg.Interval, safetyTick{})
		q.nextSafety = now.Add(cfg.Interval)
	}
	q.d.Log.Info("queue config changed", zap.Duration("interval", cfg.Interval), zap.Int("batch", cfg.Batch),
		zap.Int("max_items", cfg.MaxItems), zap.Int("max_tries", cfg.MaxTries))
}

// gateFailed: the gate panicked on one of our requests; we cannot tell which,
// so the ref is released by the safety tick like any unanswered one.
func (q *Queue) gateFailed(m messages.Failed) {
	q.d.Log.Warn("the dial gate failed on a queued request; it is retried once released",
		zap.String("actor", m.Actor), zap.String("reason", m.Reason))
}

// load reads the bucket in key order: dead letters, then items (FIFO), then
// the sequence. An undecodable record is logged and skipped, its number kept
// out of reuse; a read error is returned.
func (q *Queue) load() error {
	q.items = list.New()
	q.byID = map[string]*list.Element{}
	q.byPhone = map[messages.Phone]*list.Element{}
	q.dead, q.seq = nil, 0
	q.inflight = map[string]time.Time{}
	q.draining, q.next = false, nil
	err := q.d.Bucket.Load(func(k, v []byte) error {
		key := string(k)
		if key == seqKey {
			n, err := strconv.ParseUint(string(v), 10, 64)
			if err != nil {
				q.d.Log.Error("queue sequence unreadable; ids continue after the stored records", zap.Error(err))
			}
			q.seq = max(q.seq, n)
			return nil
		}
		prefix, num, ok := strings.Cut(key, "/")
		if !ok || (prefix+"/" != itemPrefix && prefix+"/" != deadPrefix) {
			return nil
		}
		if n, err := strconv.ParseUint(num, 10, 64); err == nil {
			q.seq = max(q.seq, n)
		}
		var it messages.QueueItem
		if err := json.Unmarshal(v, &it); err != nil {
			q.d.Log.Error("queue record unreadable; skipped", zap.String("key", key), zap.Error(err))
			return nil
		}
		if n, err := strconv.ParseUint(it.ID, 10, 64); err == nil {
			q.seq = max(q.seq, n)
		}
		if prefix+"/" == itemPrefix {
			q.link(it)
		} else {
			q.dead = append(q.dead, deadLetter{key: key, item: it})
		}
		return nil
	})
	q.gauges()
	if err != nil {
		return fmt.Errorf("queue: load: %w", err)
	}
	return nil
}

func (q *Queue) gauges() {
	q.d.Metrics.items.Set(float64(q.items.Len()))
	q.d.Metrics.deadLetters.Set(float64(len(q.dead)))
}

// seqID renders a sequence number so that string order is numeric order.
func seqID(n uint64) string { return fmt.Sprintf("%012d", n) }

func itemKey(id string) string { return itemPrefix + id }

func put(key string, it messages.QueueItem) store.Change {
	raw, err := json.Marshal(it)
	if err != nil { // only plain strings, ints and times: cannot happen
		panic(fmt.Sprintf("queue: encode item %s: %v", it.ID, err))
	}
	return store.Change{Key: key, Value: raw}
}

func del(key string) store.Change { return store.Change{Key: key} }

func logItem(it messages.QueueItem) []zap.Field {
	return []zap.Field{zap.String("id", it.ID), zap.String("lead_id", it.Request.Lead.LeadID),
		zap.String("phone", it.Request.Lead.Phone.Masked())}
}
