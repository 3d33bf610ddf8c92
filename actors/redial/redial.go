package redial

import (
	"fmt"
	"math/rand/v2"
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
	Journal  *actor.PID // lead records are pulled from it; nil: no leads
	Metrics  *Metrics
	Now      func() time.Time // nil: time.Now
	Rand     func() float64   // jitter source in [0,1); nil: math/rand/v2
}

// Redial is the cadence engine actor.
type Redial struct {
	d        Deps
	enabled  bool
	index    map[messages.Phone]*slim // every record's decision state; the full records are in the store
	due      dueHeap                  // pending and daily_cap records by due time; stale entries skipped
	inflight map[messages.Phone]flight
	counts   map[string]int // records by status
	armedAt  time.Time      // when the "due" timer fires; zero when not armed
	resend   resend.Asker   // completions published before a crash, asked for again
	leads    intake         // lead records pulled from the journal
	strs     interner

	// Write-back: full records changed (or removed) since the last commit,
	// committed together, with the highest completion sequence among them
	// and the lead position, once the mailbox has been worked through.
	dirty        map[messages.Phone]*messages.RedialRecord
	gone         map[messages.Phone]bool
	dirtyApplied uint64
	flushQueued  bool
	self         *actor.PID
	send         func(*actor.PID, interface{})
}

// flight is a DialRequest awaiting the gate's answer.
type flight struct {
	sent time.Time
	due  int64 // the record's next due when it was sent (unix ns)
}

// Timer and internal messages: only the cadence sends them.
type (
	dueTick   struct{}
	sweepTick struct{}
	pullTick  struct{}
	flushTick struct{}
)

const (
	// dialledGuard is how long a dialled record waits for its completion
	// before the cadence dials it again; the gate gives up on a call after
	// calls.pending_timeout (40 min), and answers "busy" until then.
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
	case flushTick:
		r.flushQueued = false
		r.commit()
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
	case messages.JournalAdvanced:
		r.advanced(c, m.Durable)
	case messages.JournalBatch:
		r.leadsArrived(c, m, r.now())
	case pullTick:
		r.pull(c)
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
	r.self, r.send = c.Self(), c.ActorSystem().Root.Send
	if err := r.load(); err != nil {
		// Running on an empty set would re-create records and lose their
		// counters: let the supervisor restart us instead.
		panic(err)
	}
	applied, err := r.d.Bucket.Applied()
	if err != nil {
		panic(fmt.Errorf("redial: load applied sequence: %w", err))
	}
	if err := r.loadLeadPos(applied); err != nil {
		panic(fmt.Errorf("redial: load lead position: %w", err))
	}
	r.evict()
	r.d.Log.Info("redial loaded", zap.Int("records", len(r.index)), zap.Int("pending", r.counts[messages.RedialPending]),
		zap.Bool("enabled", r.enabled), zap.Uint64("applied_seq", applied), zap.Uint64("leads_seq", r.leads.pos))
	r.resend = resend.Asker{Calls: r.d.Calls, Log: r.d.Log}
	r.resend.Ask(c, applied)
	if r.d.Journal != nil {
		c.Send(r.d.Journal, messages.SubscribeJournal{Subscriber: c.Self()})
	}
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
	r.commit()
	r.d.Log.Info("redial stopped", zap.Int("records", len(r.index)), zap.Int("pending", r.counts[messages.RedialPending]),
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
