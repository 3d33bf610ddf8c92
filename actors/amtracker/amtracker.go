package amtracker

import (
	"fmt"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"go.uber.org/zap"

	"orchestrator/actors/businesshours"
	"orchestrator/actors/internal/resend"
	"orchestrator/actors/store"
	"orchestrator/config"
	"orchestrator/messages"
)

// Deps is what the tracker needs; main builds it.
type Deps struct {
	Log      *zap.Logger
	Cfg      config.AMTracker
	Schedule *businesshours.Schedule // its time zone names the days
	Bucket   *store.Bucket
	// ConfigBucket keeps the settings an operator saved (nil: none can be).
	ConfigBucket *store.Bucket
	Metrics      *Metrics
	Now          func() time.Time // nil: time.Now
	// Calls is asked at start to resend the completions published after
	// the applied sequence (nil: not asked).
	Calls *actor.PID
}

// Tracker is the answering-machine tracker actor.
type Tracker struct {
	d          Deps
	overridden bool // an operator's saved settings are in force
	tracked    map[messages.Outcome]bool
	pruneAt    clock
	days       map[string]*day // by business-zone date YYYY-MM-DD
	pruned     int             // days dropped by the last prune
	resend     resend.Asker
	staged     map[string]*pair // pairs changed since the last commit (flush.go), encoded by it
	stagedSeq  uint64           // the highest completion sequence among them
}

// Timer messages: only our own timers send them.
type (
	pruneTick    struct{}
	rolloverTick struct{}
)

// Producer makes a fresh Tracker for each incarnation; it loads its counts in Started.
func Producer(d Deps) actor.Producer {
	return func() actor.Actor { return &Tracker{d: d} }
}

// Receive dispatches the tracker's messages.
func (t *Tracker) Receive(c actor.Context) {
	switch m := c.Message().(type) {
	case *actor.Started:
		t.start(c, t.now())
	case *actor.Stopping:
		t.flush(nil)
		t.stopping()
	case *actor.Restarting:
		t.flush(nil)
	case *actor.Stopped:
	case flushTick:
		t.flush(c)
	case pruneTick:
		t.prune(c, t.now())
	case rolloverTick:
		t.rollover(c, t.now())
	case messages.CallCompleted:
		t.count(c, m, t.now())
	case messages.CompletionsResent:
		t.resend.Resent(c, m)
	case resend.Retry:
		t.resend.Retried(c)
	case messages.CheckAMCap:
		c.Respond(t.check(m, t.now()))
	case messages.GetAMStats:
		c.Respond(t.stats(t.now()))
	case messages.GetAMRecords:
		c.Respond(t.records(m, t.now()))
	case messages.ConfigChanged:
		if !t.overridden { // an operator's saved settings win over the file's
			t.reconfigure(c, m.Config.AMTracker, t.now())
		}
	case messages.GetAMConfig:
		c.Respond(messages.AMConfig{Config: t.d.Cfg})
	case messages.SetAMConfig:
		c.Respond(t.setConfig(c, m.Config, t.now()))
	default:
		t.d.Log.Warn("unhandled message", zap.String("type", fmt.Sprintf("%T", m)))
	}
}

func (t *Tracker) now() time.Time {
	if t.d.Now != nil {
		return t.d.Now()
	}
	return time.Now()
}

// start loads the counts kept in the store, drops days older than yesterday
// and arms both timers. A store that cannot be read panics, so the supervisor
// restarts us rather than let every lead through uncounted.
func (t *Tracker) start(c actor.Context, now time.Time) {
	if cfg, ok := t.saved(); ok {
		t.d.Cfg, t.overridden = cfg, true
	}
	t.apply(t.d.Cfg)
	dropped, err := t.load(now)
	if err != nil {
		panic(err)
	}
	applied, err := t.d.Bucket.Applied()
	if err != nil {
		panic(fmt.Errorf("amtracker: load applied sequence: %w", err))
	}
	t.resend = resend.Asker{Calls: t.d.Calls, Log: t.d.Log}
	t.resend.Ask(c, applied)
	t.armPrune(c, now)
	t.armRollover(c, now)
	t.gauge(now)
	today := t.days[t.day(now)]
	t.d.Log.Info("amtracker loaded", zap.String("day", t.day(now)), zap.Int("pairs_today", today.size()),
		zap.Int("days_kept", len(t.days)), zap.Int("days_dropped", dropped))
}

func (t *Tracker) stopping() {
	today := t.days[t.day(t.now())]
	t.d.Log.Info("amtracker stopped", zap.Int("pairs_today", today.size()), zap.Int("outcomes_today", today.total()),
		zap.Int("days_kept", len(t.days)))
}

// apply puts a config section in force. An unreadable prune time (config
// validation rejects it) falls back to the default rather than never pruning.
func (t *Tracker) apply(cfg config.AMTracker) {
	at, ok := parseClock(cfg.PruneAt)
	if !ok {
		def := config.Default().AMTracker.PruneAt
		t.d.Log.Error("amtracker.prune_at unreadable; using the default", zap.String("prune_at", cfg.PruneAt),
			zap.String("default", def))
		at, _ = parseClock(def)
	}
	t.d.Cfg, t.pruneAt = cfg, at
	t.tracked = make(map[messages.Outcome]bool, len(cfg.Tracked))
	for _, o := range cfg.Tracked {
		t.tracked[messages.Outcome(o)] = true
	}
}

// reconfigure takes a new config section: the cap applies from the next
// check, the tracked outcomes from the next completion, and the prune timer is
// re-armed for the new time.
func (t *Tracker) reconfigure(c actor.Context, cfg config.AMTracker, now time.Time) {
	oldCap := t.d.Cfg.MaxPerDay
	t.apply(cfg)
	if cfg.MaxPerDay != oldCap {
		for _, d := range t.days {
			d.recount(cfg.MaxPerDay)
		}
	}
	next := t.armPrune(c, now)
	t.gauge(now)
	t.d.Log.Info("amtracker config changed", zap.Strings("tracked", cfg.Tracked), zap.Int("max_per_day", cfg.MaxPerDay),
		zap.String("prune_at", cfg.PruneAt), zap.Time("next_prune", next))
}

// day is the business-zone date of an instant.
func (t *Tracker) day(at time.Time) string { return t.d.Schedule.Hours().Day(at) }

func (t *Tracker) location() *time.Location { return t.d.Schedule.Hours().Location() }

// gauge sets the at-cap gauge from today's counts.
func (t *Tracker) gauge(now time.Time) {
	t.d.Metrics.atCap.Set(float64(t.days[t.day(now)].capped()))
}
