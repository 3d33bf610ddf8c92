package stats

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
	"orchestrator/supervision"
)

// Deps is what the statistics need; main builds it.
type Deps struct {
	Log      *zap.Logger
	Cfg      config.Stats
	Schedule *businesshours.Schedule // its time zone names the days
	Bucket   *store.Bucket
	// Calls is asked at start to resend the completions published after the
	// applied sequence; nil: nobody is asked (tests).
	Calls *actor.PID
	Now   func() time.Time // nil: time.Now
}

// Stats is the statistics actor.
type Stats struct {
	d      Deps
	timers *supervision.Timers
	days   map[string]messages.StatsCounts // every day counted, by date
	seen   seenSet                         // call ids remembered (seen.go)
	// applied is the journal sequence in the store; pending the highest one
	// among the completions handled since (committed by the next flush).
	applied, pending uint64
	batch            batch
	asker            resend.Asker
	// resending is true from start until the calls actor says its resend is
	// complete: applied stays where it was, so a crash meanwhile asks again
	// for everything the resend was to bring, whatever order it came in.
	resending bool
	prunedFor string // the day the last prune of call ids ran for
	counted   int    // completions counted by this incarnation
	repeats   int    // completions skipped as already counted
}

// seenCall is a remembered call id: the day it counted for and its journal
// sequence.
type seenCall struct {
	day string
	seq uint64
}

// flushTick is the flush timer's message.
type flushTick struct{}

const (
	// flushEvery is how long a counted completion waits for its commit: one
	// fsync per flushEvery at most, whatever the rate of completions. A
	// crash loses nothing: what was not committed is resent.
	flushEvery = 200 * time.Millisecond
	// maxBatch flushes at once when this many call ids wait, so a flood does
	// not pile up one huge transaction.
	maxBatch = 4096
	// retryEvery is the wait before a failed commit is tried again.
	retryEvery = time.Second
)

// Producer makes a fresh Stats for each incarnation; it loads its counts in Started.
func Producer(d Deps) actor.Producer {
	return func() actor.Actor { return &Stats{d: d} }
}

// Receive dispatches the statistics' messages.
func (s *Stats) Receive(c actor.Context) {
	switch m := c.Message().(type) {
	case *actor.Started:
		s.start(c)
	case *actor.Stopping:
		s.stopping()
	case *actor.Restarting:
		s.flushLogged()
	case *actor.Stopped:
	case messages.CallCompleted:
		s.count(m)
	case flushTick:
		s.flushTick()
	case messages.GetDayStats:
		c.Respond(s.day(m.Date))
	case messages.GetStatsRange:
		c.Respond(s.between(m.Start, m.End))
	case messages.GetAllTimeStats:
		c.Respond(s.allTime())
	case messages.CompletionsResent:
		s.resent(c, m)
	case resend.Retry:
		s.asker.Retried(c)
	case messages.ConfigChanged:
		s.reconfigure(m.Config.Stats)
	default:
		s.d.Log.Warn("unhandled message", zap.String("type", fmt.Sprintf("%T", m)))
	}
}

func (s *Stats) now() time.Time {
	if s.d.Now != nil {
		return s.d.Now()
	}
	return time.Now()
}

// dayOf is the business-zone date of an instant.
func (s *Stats) dayOf(at time.Time) string { return s.d.Schedule.Hours().Day(at) }

// start loads the counts and remembered call ids, then asks the calls actor
// for the completions published after the applied sequence. A store that
// cannot be read panics, so the supervisor restarts us rather than count
// from zero and overwrite the stored days.
func (s *Stats) start(c actor.Context) {
	s.timers = supervision.TimersOf(c)
	s.batch = newBatch()
	if err := s.load(s.dayOf(s.now())); err != nil {
		panic(err)
	}
	s.pending = s.applied
	if !s.batch.empty() { // call ids pruned at load
		s.armFlush()
	}
	s.d.Log.Info("stats loaded", zap.Int("days", len(s.days)), zap.Int("call_ids", s.seen.len()),
		zap.Uint64("applied_seq", s.applied))
	s.asker = resend.Asker{Calls: s.d.Calls, Log: s.d.Log}
	s.resending = s.d.Calls != nil
	s.asker.Ask(c, s.applied)
}

// reconfigure takes a new stats section; the next flush prunes call ids
// with its dedupe window.
func (s *Stats) reconfigure(cfg config.Stats) {
	s.d.Cfg, s.prunedFor = cfg, ""
	s.d.Log.Info("stats config changed", zap.Int("dedupe_days", cfg.DedupeDays))
}

func (s *Stats) stopping() {
	s.flushLogged()
	s.d.Log.Info("stats stopped", zap.Int("counted", s.counted), zap.Int("repeats", s.repeats),
		zap.Uint64("applied_seq", s.applied))
}

// count adds a completion to its business day (of CompletedAt, or of now
// when it has none) unless its call id was already counted. Its sequence
// joins the next commit only once it is handled: a completion whose handling
// panicked is not recorded as applied by the flush at Restarting, and so is
// resent.
func (s *Stats) count(m messages.CallCompleted) {
	s.add(m)
	s.pending = max(s.pending, m.Seq)
	s.armFlush()
	if len(s.batch.ids) >= maxBatch {
		s.flushLogged()
	}
}

func (s *Stats) add(m messages.CallCompleted) {
	if m.CallID == "" { // the parser requires one: never expected
		s.d.Log.Warn("completion without a call id; not counted", zap.Uint64("seq", m.Seq))
		return
	}
	if day, ok := s.seen.lookup(m.CallID, s.countedOn); ok {
		s.repeats++
		s.d.Log.Debug("call already counted", zap.String("call_id", m.CallID), zap.String("day", day))
		return
	}
	at := m.CompletedAt
	if at.IsZero() {
		at = s.now()
	}
	day := s.dayOf(at)
	s.days[day] = Apply(s.days[day], m)
	s.seen.add(m.CallID, day, m.Seq)
	s.batch.add(day, m.CallID, m.Seq)
	s.counted++
	s.d.Log.Debug("call counted", zap.String("call_id", m.CallID), zap.String("day", day),
		zap.String("outcome", string(m.Outcome)))
}

// countedOn says whether id was counted on day: staged in the batch or
// stored. A store that cannot say is taken as yes (the id's hash matched:
// almost surely this id), as counting a call twice is the worse error.
func (s *Stats) countedOn(day, id string) bool {
	if sc, ok := s.batch.ids[id]; ok {
		return sc.day == day
	}
	v, err := s.d.Bucket.Get(idKey(day, id))
	if err != nil {
		s.d.Log.Error("statistics store unreadable; a call id taken as counted", zap.String("call_id", id), zap.Error(err))
		return true
	}
	return v != nil
}

// resent ends the recovery: every completion up to m.Through is in our
// mailbox before this answer, so applied may move on again. A failed resend
// is asked for again by the Asker.
func (s *Stats) resent(c actor.Context, m messages.CompletionsResent) {
	s.asker.Resent(c, m)
	if m.Err != "" || !s.resending {
		return
	}
	s.resending = false
	s.d.Log.Info("stats recovered", zap.Int("counted", s.counted), zap.Int("repeats", s.repeats))
	s.armFlush()
}
