package redial

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"go.uber.org/zap"

	"orchestrator/actors/businesshours"
	"orchestrator/actors/internal/resend"
	"orchestrator/actors/store"
	"orchestrator/config"
	"orchestrator/messages"
	"orchestrator/supervision"
)

// Deps is what the cadence engine needs; main builds it.
type Deps struct {
	Log      *zap.Logger
	Cfg      config.Redial
	Schedule *businesshours.Schedule // business hours in force, read on every decision
	Bucket   *store.Bucket
	Calls    *actor.PID // the dial gate
	Metrics  *Metrics
	Now      func() time.Time // nil: time.Now
	Rand     func() float64   // jitter source in [0,1); nil: math/rand/v2
}

// Redial is the cadence engine actor.
type Redial struct {
	d        Deps
	enabled  bool
	records  map[messages.Phone]*messages.RedialRecord
	due      dueHeap // pending and daily_cap records by due time; stale entries skipped
	inflight map[messages.Phone]flight
	counts   map[string]int // records by status
	armedAt  time.Time      // when the "due" timer fires; zero when not armed
	resend   resend.Asker   // completions published before a crash, asked for again
}

// flight is a DialRequest awaiting the gate's answer.
type flight struct {
	sent time.Time
	due  time.Time // the record's NextDue when it was sent
}

// Timer messages: only our own timers send them.
type (
	dueTick   struct{}
	sweepTick struct{}
)

const (
	recPrefix = "rec/"
	// dialledGuard is how long a dialled record waits for its completion
	// before the cadence dials it again; the gate gives up on a call after
	// calls.pending_timeout (40 min).
	dialledGuard = time.Hour
	// busyRetry is the retry after a "busy" refusal without RetryAt.
	busyRetry = 5 * time.Minute
	// inflightTimeout releases a request the gate never answered (it
	// restarted); the record is then dialled by a later tick.
	inflightTimeout = 2 * time.Minute
	maxCalls        = 50
	maxOutcomes     = 20
	defaultLimit    = 50
	maxLimit        = 1000
)

// Producer makes a fresh Redial for each incarnation; it loads its records in Started.
func Producer(d Deps) actor.Producer {
	return func() actor.Actor { return &Redial{d: d} }
}

// Receive dispatches the cadence's messages.
func (r *Redial) Receive(c actor.Context) {
	switch m := c.Message().(type) {
	case *actor.Started:
		r.start(c, r.now())
	case *actor.Stopping:
		r.stopping()
	case *actor.Stopped, *actor.Restarting:
	case dueTick:
		r.process(c, r.now())
	case sweepTick:
		r.sweep(c, r.now())
	case messages.CallCompleted:
		r.callCompleted(c, m, r.now())
	case messages.CompletionsResent:
		r.resend.Resent(c, m)
	case resend.Retry:
		r.resend.Retried(c)
	case messages.LeadReceived:
		r.leadReceived(c, m, r.now())
	case messages.DialResult:
		r.result(c, m, r.now())
	case messages.GetRedialStatus:
		c.Respond(r.status(r.now()))
	case messages.GetRedialRecords:
		c.Respond(r.list(m, r.now()))
	case messages.PauseRedial:
		c.Respond(r.pause(c, m.Phone, r.now()))
	case messages.ResumeRedial:
		c.Respond(r.resume(c, m.Phone, r.now()))
	case messages.RemoveRedial:
		c.Respond(r.remove(c, m.Phone, r.now()))
	case messages.CompleteRedial:
		c.Respond(r.complete(c, m, r.now()))
	case messages.ProcessRedial:
		c.Respond(r.processNow(c, r.now()))
	case messages.EnableRedial:
		c.Respond(r.enable(c, m.Enabled, r.now()))
	case messages.ConfigChanged:
		r.reconfigure(c, m.Config.Redial, r.now())
	case messages.Failed:
		r.gateFailed(m)
	case *actor.DeadLetterResponse:
		r.d.Log.Warn("a request to the dial gate was not delivered; its record is retried once released")
	default:
		r.d.Log.Warn("unhandled message", zap.String("type", fmt.Sprintf("%T", m)))
	}
}

func (r *Redial) now() time.Time {
	if r.d.Now != nil {
		return r.d.Now()
	}
	return time.Now()
}

func (r *Redial) rand() float64 {
	if r.d.Rand != nil {
		return r.d.Rand()
	}
	return rand.Float64()
}

func (r *Redial) hours() *businesshours.Hours { return r.d.Schedule.Hours() }

// start loads the records, arms the sweep and processes what is due.
func (r *Redial) start(c actor.Context, now time.Time) {
	if err := r.load(); err != nil {
		// Running on an empty set would re-create records and lose their
		// counters: let the supervisor restart us instead.
		panic(err)
	}
	applied, err := r.d.Bucket.Applied()
	if err != nil {
		panic(fmt.Errorf("redial: load applied sequence: %w", err))
	}
	r.evict()
	r.d.Log.Info("redial loaded", zap.Int("records", len(r.records)), zap.Int("pending", r.counts[messages.RedialPending]),
		zap.Bool("enabled", r.enabled), zap.Uint64("applied_seq", applied))
	r.resend = resend.Asker{Calls: r.d.Calls, Log: r.d.Log}
	r.resend.Ask(c, applied)
	r.armSweep(c)
	r.process(c, now)
}

// armSweep arms the safety tick; config.Validate requires an interval > 0,
// and without one only the due timer drives the cadence.
func (r *Redial) armSweep(c actor.Context) {
	if r.d.Cfg.ProcessInterval > 0 {
		supervision.TimersOf(c).Every("sweep", r.d.Cfg.ProcessInterval, sweepTick{})
	} else {
		supervision.TimersOf(c).Cancel("sweep")
	}
}

func (r *Redial) stopping() {
	r.d.Log.Info("redial stopped", zap.Int("records", len(r.records)), zap.Int("pending", r.counts[messages.RedialPending]),
		zap.Int("in_flight", len(r.inflight)))
}

func (r *Redial) gateFailed(m messages.Failed) {
	r.d.Log.Warn("the dial gate failed on a redial request; it is retried once released",
		zap.String("actor", m.Actor), zap.String("reason", m.Reason))
}

func (r *Redial) reconfigure(c actor.Context, cfg config.Redial, now time.Time) {
	old := r.d.Cfg
	r.d.Cfg = cfg
	if cfg.Enabled != old.Enabled {
		r.enabled = cfg.Enabled
	}
	if cfg.ProcessInterval != old.ProcessInterval {
		r.armSweep(c)
	}
	r.d.Log.Info("redial config changed", zap.Bool("enabled", r.enabled), zap.Duration("process_interval", cfg.ProcessInterval),
		zap.Int("max_attempts", cfg.MaxAttempts), zap.Int("max_in_flight", cfg.MaxInFlight))
	r.evict()
	r.process(c, now)
}

// load reads every record and rebuilds the counts and the due heap. An
// undecodable record is logged and skipped.
func (r *Redial) load() error {
	r.reset()
	err := r.d.Bucket.Load(func(k, v []byte) error {
		key := string(k)
		if !strings.HasPrefix(key, recPrefix) {
			return nil
		}
		rec := &messages.RedialRecord{}
		if err := json.Unmarshal(v, rec); err != nil {
			r.d.Log.Error("redial record unreadable; skipped", zap.String("key", key), zap.Error(err))
			return nil
		}
		r.records[rec.Phone] = rec
		r.counts[rec.Status]++
		if schedulable(rec.Status) && !rec.NextDue.IsZero() {
			r.due = append(r.due, entry{due: rec.NextDue, phone: rec.Phone})
		}
		return nil
	})
	r.due.init()
	r.d.Metrics.setCounts(r.counts)
	if err != nil {
		return fmt.Errorf("redial: load records: %w", err)
	}
	return nil
}

func (r *Redial) reset() {
	r.enabled = r.d.Cfg.Enabled
	r.records = map[messages.Phone]*messages.RedialRecord{}
	r.due = nil
	r.inflight = map[messages.Phone]flight{}
	r.counts = map[string]int{}
	r.armedAt = time.Time{}
}

// changed accounts for a record whose status was old ("" for a new one):
// counts, the durable copy, and a heap entry when it waits for a due time.
func (r *Redial) changed(rec *messages.RedialRecord, old string) { r.changedBy(rec, old, 0) }

// changedBy is changed for a completion: its journal sequence is recorded
// as applied in the same commit (0: none), which is what a restart asks the
// calls actor to resend after.
func (r *Redial) changedBy(rec *messages.RedialRecord, old string, seq uint64) {
	if old != rec.Status {
		if old != "" {
			r.counts[old]--
		}
		r.counts[rec.Status]++
		r.d.Metrics.setCounts(r.counts)
	}
	r.persist(rec, seq)
	r.schedule(rec)
}

// schedule pushes rec's due time when it waits for one. A zero due (no
// business opening ahead) is not scheduled.
func (r *Redial) schedule(rec *messages.RedialRecord) {
	if schedulable(rec.Status) && !rec.NextDue.IsZero() {
		r.due.push(entry{due: rec.NextDue, phone: rec.Phone})
		r.compact()
	}
}

// persist writes rec synchronously: records change at call rate, and a
// restart must see every attempt counted. applied never moves backwards
// (store.Bucket.Commit keeps the highest).
func (r *Redial) persist(rec *messages.RedialRecord, applied uint64) {
	raw, err := json.Marshal(rec)
	if err != nil { // strings, ints, times and maps of them: cannot happen
		panic(fmt.Sprintf("redial: encode record: %v", err))
	}
	if err := r.d.Bucket.Commit(applied, store.Change{Key: recPrefix + string(rec.Phone), Value: raw}); err != nil {
		r.d.Log.Error("redial record not stored; kept in memory", zap.String("phone", rec.Phone.Masked()), zap.Error(err))
	}
}

func schedulable(status string) bool {
	return status == messages.RedialPending || status == messages.RedialDailyCap
}
