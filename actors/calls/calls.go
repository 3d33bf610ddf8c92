package calls

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"go.uber.org/zap"

	"orchestrator/actors/bland"
	"orchestrator/actors/businesshours"
	"orchestrator/actors/store"
	"orchestrator/config"
	"orchestrator/messages"
	"orchestrator/supervision"
)

// Dialer places a call with the voice provider (bland.Client).
type Dialer interface {
	Call(ctx context.Context, req bland.CallRequest) (bland.CallResult, error)
}

// Deps is what the calls actor needs; main builds it.
type Deps struct {
	Log         *zap.Logger
	Cfg         config.Calls
	FromNumbers []string                // our caller ids, used in turn; never taken for a customer
	Schedule    *businesshours.Schedule // business hours in force; operators may change them at run time
	Bucket      *store.Bucket
	Dialer      Dialer
	Metrics     *Metrics
	// Context bounds the provider requests; each is also cancelled when the
	// actor stops or restarts.
	Context   context.Context
	Journal   *actor.PID
	Blocklist *actor.PID
	Queue     *actor.PID   // nil: refused-for-hours requests are not queued
	AMTracker *actor.PID   // nil: no am_cap check
	CRM       *actor.PID   // nil: inbound calls without a lead id are not looked up
	Consumers []*actor.PID // every CallCompleted goes to each
	// Backlog reports the longest mailbox among the consumers; while it is
	// over maxBacklog the journal intake waits (DESIGN §4: a slow consumer
	// is never fed faster than it drains; the journal holds the records).
	// nil: no guard.
	Backlog func() int
	// LeadConsumers get every lead webhook (messages.LeadReceived) as the
	// gate takes it: a best-effort copy of the lead facts (the drip's cache).
	// Whoever must not miss a lead reads the journal itself, as the cadence
	// does: this send is lost if we die before it is applied.
	LeadConsumers []*actor.PID
	Now           func() time.Time
}

// Calls is the dial gate actor.
type Calls struct {
	d      Deps
	timers *supervision.Timers
	self   *actor.PID
	send   func(*actor.PID, interface{})

	// In memory only what is live (doc.go); the rest is read from the
	// state file (index.go).
	calls       map[string]*call          // by intent: dials awaiting the provider, calls changed since the last commit
	byCallID    map[string]string         // call ids learnt since the last commit
	holds       map[messages.Phone]hold   // phones holding a call in flight or a post-transfer hold
	phones      map[messages.Phone]*phone // phone records changed since the last commit
	leadDialled map[string]stamp          // lead id → its last dial, within calls.duplicate_window (dials.go)
	unlogged    []leadDial                // dials for the next commit's dial log
	nextIntent  uint64
	savedIntent uint64 // nextIntent as last stored
	nextFrom    int

	gates  map[messages.Phone]*gateQueue
	asking map[string]*gateReq // question ref → request

	ctx            context.Context
	cancel         context.CancelFunc
	dialing        map[string]context.CancelFunc
	pendingAnswers map[string]waiting                // intent → who to tell the provider's answer
	early          map[string]messages.CallCompleted // completions that beat their dial's answer, by call id
	lookups        map[string]messages.CallCompleted // inbound completions waiting for the CRM, by ref
	wg             sync.WaitGroup

	intake
	staged      []store.Change
	toDial      []staged // reserved dials whose intents await a commit
	flushQueued bool
	strs        interned
	leadSweep   int // reserves since leadDialled was last swept
	outbox      []messages.CallCompleted
	applied     uint64      // journal sequence whose effects are committed
	ahead       []uint64    // intake leads dialled, until the applied sequence passes them
	savedAhead  []uint64    // ahead as last stored
	held        int         // phones held by a call
	deadlines   deadlines   // pending timeouts, earliest first
	pruned      *pruneCount // the prune's walk in progress

	resends     map[string]*resend // by ref
	resendN     uint64
	incarnation uint64 // tells a journal page asked for by an earlier incarnation apart
}

// Timer and internal messages; only this actor sends them.
type (
	pendingTick   struct{}
	gateTimeout   struct{ ref string }
	pullTick      struct{}
	lookupExpired struct{ ref string }
	pruneTick     struct{}
	flushTick     struct{}
	dialDone      struct {
		intent string
		res    bland.CallResult
		err    error
	}
)

// getMemory asks what the actor holds in memory (tests, DESIGN §3 "Memory
// bounds"); answered with memory.
type (
	getMemory struct{}
	memory    struct {
		calls, callIDs, holds, records, leads, early int
		pruning                                      bool
	}
)

// Producer makes a fresh Calls actor for each incarnation.
func Producer(d Deps) actor.Producer {
	if d.Now == nil {
		d.Now = time.Now
	}
	incarnations := new(atomic.Uint64)
	return func() actor.Actor { return &Calls{d: d, incarnation: incarnations.Add(1)} }
}

// Receive dispatches the calls actor's messages.
func (s *Calls) Receive(c actor.Context) {
	switch m := c.Message().(type) {
	case *actor.Started:
		s.start(c)
	case *actor.Stopping, *actor.Restarting:
		s.stop()
	case *actor.Stopped:
	case messages.DialRequest:
		s.dial(c, m, c.Sender(), false)
	case messages.GetActiveCalls:
		s.activeList(c)
	case messages.GetCall:
		s.lookup(c, m)
	case messages.GetPhoneHistory:
		s.history(c, m)
	case messages.BlockStatus:
		s.blockAnswer(c, m)
	case messages.AMCapStatus:
		s.amCapAnswer(c, m)
	case gateTimeout:
		s.gateTimedOut(c, m.ref)
	case dialDone:
		s.dialled(c, m)
	case pendingTick:
		s.pendingDue()
	case messages.JournalAdvanced:
		s.advanced(c, m.Durable)
	case messages.JournalBatch:
		s.batchArrived(c, m)
	case messages.ResendCompletions:
		s.resendCompletions(c, m)
	case resendTick:
		s.resendTicked(c, m.ref)
	case messages.LeadLookup:
		s.leadFound(m)
	case lookupExpired:
		s.lookupGaveUp(m.ref)
	case pullTick:
		s.pull(c)
	case pruneTick:
		s.prune()
	case pruneStep:
		s.pruneSome(m)
	case flushTick:
		s.flush()
	case getMemory:
		c.Respond(memory{calls: len(s.calls), callIDs: len(s.byCallID), holds: len(s.holds), records: len(s.phones),
			leads: len(s.leadDialled), early: len(s.early), pruning: s.pruned != nil})
	case messages.ConfigChanged:
		s.d.Cfg, s.d.FromNumbers = m.Config.Calls, m.Config.Bland.FromNumbers
	default:
		s.d.Log.Warn("unhandled message", zap.String("type", fmt.Sprintf("%T", m)))
	}
}

// start loads the registry, re-arms the pending timers of calls still out,
// and subscribes to the journal to catch up from what was applied.
func (s *Calls) start(c actor.Context) {
	s.timers, s.self, s.send = supervision.TimersOf(c), c.Self(), c.ActorSystem().Root.Send
	s.gates, s.asking, s.dialing = map[messages.Phone]*gateQueue{}, map[string]*gateReq{}, map[string]context.CancelFunc{}
	s.pendingAnswers, s.early, s.lookups = map[string]waiting{}, map[string]messages.CallCompleted{}, map[string]messages.CallCompleted{}
	s.resends = map[string]*resend{}
	s.strs = interned{}
	s.toDial, s.flushQueued = nil, false
	s.ctx, s.cancel = context.WithCancel(s.d.Context)
	began := time.Now()
	if err := s.load(); err != nil {
		panic(fmt.Errorf("calls: load state: %w", err)) // the supervisor retries with backoff
	}
	s.timers.Every("prune", 24*time.Hour, pruneTick{})
	c.Send(s.d.Journal, messages.SubscribeJournal{Subscriber: c.Self()})
	s.d.Metrics.inFlight.Set(float64(s.activeCalls()))
	s.d.Log.Info("calls started", zap.Int("phones_held", len(s.holds)), zap.Int("in_flight", s.activeCalls()),
		zap.Int("leads_in_duplicate_window", len(s.leadDialled)), zap.Uint64("applied_seq", s.applied),
		zap.Duration("took", time.Since(began)))
}

// stop cancels provider requests still out and waits for their goroutines;
// their calls stay intents, which the next start holds as unknown.
func (s *Calls) stop() {
	if s.cancel == nil {
		return
	}
	s.cancel()
	s.wg.Wait()
	// Intents not yet stored were never dialled: drop them (and take their
	// leads again at the next start) rather than store them as dials cut short.
	s.abandonStaged("")
	// Before the look-ups below, so those go to every consumer.
	s.abortResends()
	for ref, cc := range s.lookups { // the consumers stop after us: they still get it
		delete(s.lookups, ref)
		s.publishInbound(cc)
	}
	_ = s.commitLogged()
	s.d.Log.Info("calls stopped", zap.Int("in_flight", s.activeCalls()), zap.Uint64("applied_seq", s.applied))
}

func (s *Calls) now() time.Time { return s.d.Now() }

// activeCalls is the number of phones held by a call.
func (s *Calls) activeCalls() int { return s.held }
