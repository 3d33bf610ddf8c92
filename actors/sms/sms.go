package sms

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"go.uber.org/zap"

	"orchestrator/actors/bland"
	"orchestrator/actors/businesshours"
	"orchestrator/actors/internal/resend"
	"orchestrator/actors/store"
	"orchestrator/config"
	"orchestrator/messages"
	"orchestrator/supervision"
)

// Sender texts a lead and reads back the texts exchanged with a phone
// (bland.Client).
type Sender interface {
	SendSMS(ctx context.Context, to, from messages.Phone, text string) (bland.SMSResult, error)
	SMSHistory(ctx context.Context, phone messages.Phone) (bland.SMSHistory, error)
}

// Deps is what the drip needs; main builds it.
type Deps struct {
	Log *zap.Logger
	Cfg config.SMS
	// OurNumbers are our own numbers (bland.from_numbers): replies from them
	// are ignored, and the first sends texts when sms.from_number is empty.
	OurNumbers []string
	Schedule   *businesshours.Schedule // the business zone: unknown states, "today"
	Bucket     *store.Bucket
	Sender     Sender
	Metrics    *Metrics
	// Context bounds the provider requests; each is also cancelled when the
	// actor stops or restarts.
	Context   context.Context
	Journal   *actor.PID // replies are pulled from it
	Blocklist *actor.PID // asked before every text; opt-outs are added to it
	CRM       *actor.PID
	Redial    *actor.PID
	Calls     *actor.PID // call-backs asked for by a reply; completions resent after a restart
	Now       func() time.Time
}

// SMS is the drip actor.
type SMS struct {
	d      Deps
	timers *supervision.Timers
	self   *actor.PID
	send   func(*actor.PID, interface{})

	enabled bool
	seqs    map[messages.Phone]*messages.SMSSequence
	counts  map[string]int
	due     dueHeap
	armedAt time.Time
	flights map[messages.Phone]*flight // a text being checked or sent
	cuts    map[messages.Phone]*cut    // texts a stop cut short: looked up before their phone gets anything
	checks  map[string]messages.Phone  // blocklist question ref → phone
	nextRef uint64
	zones   map[string]Zone
	leads   leadCache

	actions map[string]*action
	asking  map[string]time.Time // action id → when it was asked

	replies     intake
	completions uint64         // the latest completion's journal sequence applied
	staged      []store.Change // not yet stored (the store failed)
	metaDirty   bool
	resend      resend.Asker // completions published before a crash, asked for again

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// Timer and internal messages; only this actor sends them.
type (
	dueTick    struct{} // the earliest due text
	sweepTick  struct{} // every sms.interval: the safety net
	retryTick  struct{} // every sms.retry_interval: reply actions
	actionTick struct{} // the earliest reply action (a call-back's delay)
	flushTick  struct{}
	pullTick   struct{}
	sendDone   struct {
		phone messages.Phone
		pos   int
		text  string // the words sent, looked for in the history if the answer is unsure
		res   bland.SMSResult
		err   error
	}
	actionAnswer struct {
		id  string
		res interface{}
		err error
	}
)

// Producer makes a fresh SMS actor for each incarnation; it loads its state
// in Started.
func Producer(d Deps) actor.Producer {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Context == nil {
		d.Context = context.Background()
	}
	return func() actor.Actor { return &SMS{d: d} }
}

// Receive dispatches the drip's messages.
func (s *SMS) Receive(c actor.Context) {
	switch m := c.Message().(type) {
	case *actor.Started:
		s.start(c)
	case *actor.Stopping, *actor.Restarting:
		s.stop()
	case *actor.Stopped:
	case messages.CallCompleted:
		s.callCompleted(c, m, s.now())
	case messages.LeadReceived:
		s.leadReceived(m, s.now())
	case messages.BlockStatus:
		s.blockAnswered(c, m, s.now())
	case sendDone:
		s.sent(c, m, s.now())
	case dueTick:
		s.process(c, s.now())
	case sweepTick:
		s.sweep(c, s.now())
	case messages.JournalAdvanced:
		s.advanced(c, m.Durable)
	case messages.JournalBatch:
		s.batchArrived(c, m, s.now())
	case pullTick:
		s.pull(c)
	case retryTick:
		s.dispatchActions(c, s.now())
		s.lookUp()
	case actionTick:
		s.dispatchActions(c, s.now())
	case lookupDone:
		s.lookedUp(c, m, s.now())
	case actionAnswer:
		s.actionAnswered(c, m, s.now())
	case messages.LeadLookup:
		s.leadLookedUp(c, m, s.now())
	case messages.DialResult:
		s.callbackAnswered(m, s.now())
	case flushTick:
		s.flushMeta()
	case messages.GetSMSStatus:
		c.Respond(s.status(s.now()))
	case messages.GetSMSSequences:
		c.Respond(s.list(m))
	case messages.CancelSMS:
		c.Respond(s.cancelByOperator(c, m.Phone, s.now()))
	case messages.CompletionsResent:
		s.resend.Resent(c, m)
	case resend.Retry:
		s.resend.Retried(c)
	case messages.ConfigChanged:
		s.reconfigure(c, m.Config, s.now())
	case messages.Failed:
		s.d.Log.Warn("a service failed on a request of the drip; it is retried", zap.String("actor", m.Actor), zap.String("reason", m.Reason))
	case *actor.DeadLetterResponse:
		s.d.Log.Warn("a request of the drip was not delivered; it is retried")
	default:
		s.d.Log.Warn("unhandled message", zap.String("type", fmt.Sprintf("%T", m)))
	}
}

func (s *SMS) now() time.Time { return s.d.Now() }

// start loads the sequences and pending actions, arms the timers, and asks
// the journal for replies and the calls actor for completions it may have
// missed.
func (s *SMS) start(c actor.Context) {
	s.timers, s.self, s.send = supervision.TimersOf(c), c.Self(), c.ActorSystem().Root.Send
	s.ctx, s.cancel = context.WithCancel(s.d.Context)
	now := s.now()
	if err := s.load(now); err != nil {
		panic(err) // running on an empty set would text leads twice: the supervisor retries
	}
	s.timers.Every("sweep", s.d.Cfg.Interval, sweepTick{})
	s.timers.Every("retry", s.d.Cfg.RetryInterval, retryTick{})
	c.Send(s.d.Journal, messages.SubscribeJournal{Subscriber: c.Self()})
	s.resend = resend.Asker{Calls: s.d.Calls, Log: s.d.Log}
	s.resend.Ask(c, s.completions)
	s.d.Log.Info("sms loaded", zap.Int("sequences", len(s.seqs)), zap.Int("active", s.counts[messages.SMSActive]),
		zap.Int("pending_actions", len(s.actions)), zap.Int("cut_texts", len(s.cuts)), zap.Uint64("applied_seq", s.replies.pos),
		zap.Uint64("completions_seq", s.completions), zap.Bool("enabled", s.enabled))
	s.process(c, now)
	s.dispatchActions(c, now)
}

// stop cancels the texts in flight and the history lookups, and waits for
// their goroutines; the intents stay recorded, so the next start looks them
// up.
func (s *SMS) stop() {
	if s.cancel == nil {
		return
	}
	s.cancel()
	s.wg.Wait()
	s.flushMeta()
	s.d.Log.Info("sms stopped", zap.Int("sequences", len(s.seqs)), zap.Int("active", s.counts[messages.SMSActive]),
		zap.Int("pending_actions", len(s.actions)), zap.Int("in_flight", len(s.flights)))
	s.cancel = nil
}

func (s *SMS) reconfigure(c actor.Context, cfg config.Config, now time.Time) {
	old := s.d.Cfg
	s.d.Cfg, s.d.OurNumbers = cfg.SMS, cfg.Bland.FromNumbers
	if cfg.SMS.Enabled != old.Enabled {
		s.enabled = cfg.SMS.Enabled
	}
	if cfg.SMS.Interval != old.Interval {
		s.timers.Every("sweep", cfg.SMS.Interval, sweepTick{})
	}
	if cfg.SMS.RetryInterval != old.RetryInterval {
		s.timers.Every("retry", cfg.SMS.RetryInterval, retryTick{})
	}
	if changes := s.replanAll(now); len(changes) > 0 {
		_ = s.commit(changes...)
	}
	s.d.Log.Info("sms config changed", zap.Bool("enabled", s.enabled), zap.Int("templates", len(cfg.SMS.Templates)))
	s.process(c, now)
}

// from is the number texts are sent from.
func (s *SMS) from() messages.Phone {
	if s.d.Cfg.FromNumber != "" {
		return messages.Phone(s.d.Cfg.FromNumber)
	}
	if len(s.d.OurNumbers) > 0 {
		return messages.Phone(s.d.OurNumbers[0])
	}
	return ""
}

// ours reports whether p is one of our own numbers.
func (s *SMS) ours(p messages.Phone) bool {
	if s.d.Cfg.FromNumber != "" && string(p) == s.d.Cfg.FromNumber {
		return true
	}
	for _, n := range s.d.OurNumbers {
		if string(p) == n {
			return true
		}
	}
	return false
}
