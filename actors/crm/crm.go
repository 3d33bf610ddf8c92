package crm

import (
	"context"
	"fmt"
	"hash/maphash"
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"go.uber.org/zap"

	"orchestrator/actors/convoso"
	"orchestrator/actors/internal/resend"
	"orchestrator/actors/store"
	"orchestrator/config"
	"orchestrator/messages"
	"orchestrator/supervision"
)

// CRMClient is what the outbox needs of the CRM (convoso.Client).
type CRMClient interface {
	UpdateLead(ctx context.Context, u convoso.LeadUpdate) error
	SearchLeads(ctx context.Context, phone messages.Phone) ([]messages.Lead, error)
}

// Deps is what the outbox needs; main builds it.
type Deps struct {
	Log     *zap.Logger
	Cfg     config.CRM
	Bucket  *store.Bucket
	Client  CRMClient
	Metrics *Metrics
	// Context bounds every CRM request; each is also cancelled when the
	// actor stops or restarts.
	Context context.Context
	Now     func() time.Time // nil: time.Now
	// Calls is asked at start to resend the completions published after
	// the applied sequence (nil: not asked).
	Calls *actor.PID

	hash func(key string) uint64 // hashes delivered keys (nil: maphash, seeded per Producer); tests force collisions
}

const (
	// maxInFlight bounds the deliveries running at once, so a hanging CRM
	// holds at most this many goroutines and requests.
	maxInFlight = 4
	// maxLookups bounds the look-ups running at once; past it a look-up is
	// answered with an error at once.
	maxLookups = 8
	// deliveredTTL is how long a delivered key keeps its update from being
	// queued again (the journal's dedupe window).
	deliveredTTL = 7 * 24 * time.Hour
	// sweepEvery is the safety-net timer.
	sweepEvery = time.Minute
	// maxKept bounds the committed updates kept in memory for their first
	// delivery, which then need not read them back from the store: as many
	// as a full staged batch holds (2-3 MiB with 2 KB transcripts, 17 MiB
	// if every note is at its 8 KiB limit).
	maxKept = maxStaged
)

// Outbox is the CRM outbox actor.
type Outbox struct {
	d      Deps
	timers *supervision.Timers
	self   *actor.PID
	send   func(*actor.PID, interface{})

	ctx     context.Context // cancelled on Stopping/Restarting
	cancel  context.CancelFunc
	wg      sync.WaitGroup // delivery and look-up goroutines
	lookups chan struct{}  // one token per look-up running

	items    map[string]*entry // pending and parked, by key
	parked   int
	inflight int       // entries with a delivery running
	ready    fifo      // pending entries due now, oldest first
	retries  retryHeap // pending entries waiting for their NextTry
	retryAt  time.Time // when the "retry" timer fires; zero: not armed

	batch       batch    // changes staged for the next commit
	writing     *writing // the commit in flight, or nil
	flushQueued bool     // a flushNow is in the mailbox
	failing     bool     // the last commit failed; the "flush" timer tries again
	stopping    bool     // Stopping/Restarting: arm no timer, start no delivery

	kept int // durable entries whose update is still in memory; at most maxKept

	// Delivered keys (sent.go), within deliveredTTL: their hash (d.hash) and
	// delivery time (Unix ns); the key itself is only in the store.
	sent      map[uint64]int64
	sentExact map[string]int64 // the rare keys whose hash is another delivered key's
	lastSent  int64            // the latest delivery time: each is later than the one before
	sentFrom  string           // store key of the last delivery forgotten; scans start after it
	warned    bool             // the delivered-keys bound was hit in this incarnation

	resend resend.Asker
}

// entry is one update of the outbox. The update itself (lead, status,
// fields, and a summary and transcript of up to 8 KiB each) stays in item
// until its record is committed, and after that only while it waits to be
// delivered, for at most maxKept entries; otherwise only its key and the
// delivery state are kept (light), and the rest is read back from the
// store when the update is delivered, listed or answered. A full outbox
// thus costs a few hundred bytes per update, not kilobytes.
type entry struct {
	item    messages.CRMOutboxItem
	durable bool // its record is committed
	light   bool // durable, and item.Update holds only the Key
	waited  bool // queued by a requester still waiting for the commit; undone if it fails
	// held: from a completed call, delivered once committed, so a crash
	// between delivery and commit cannot deliver it again after a resend.
	held     bool
	queued   bool // in ready or retries
	inflight bool
}

func (e *entry) key() string { return e.item.Update.Key }

// Timer and internal messages; only this actor sends them.
type (
	retryTick struct{}
	sweepTick struct{}
	flushTick struct{} // a commit failed: try again
	// flushNow starts a commit of what the messages before it staged.
	flushNow  struct{ owner *Outbox }
	committed struct {
		owner *Outbox
		w     *writing
	}
	deliveryDone struct {
		owner *Outbox // the incarnation that started the delivery
		e     *entry
		u     messages.CRMUpdate // what was sent, when it failed: its new state is stored with it
		err   error
	}
)

// Producer makes a fresh Outbox for each incarnation.
func Producer(d Deps) actor.Producer {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.hash == nil {
		seed := maphash.MakeSeed()
		d.hash = func(key string) uint64 { return maphash.String(seed, key) }
	}
	return func() actor.Actor { return &Outbox{d: d} }
}

// Receive dispatches the outbox's messages.
func (o *Outbox) Receive(c actor.Context) {
	switch m := c.Message().(type) {
	case *actor.Started:
		o.start(c)
	case *actor.Stopping, *actor.Restarting:
		o.stop()
	case *actor.Stopped:
	case messages.CallCompleted:
		o.callCompleted(m)
	case messages.CompletionsResent:
		o.resend.Resent(c, m)
	case resend.Retry:
		o.resend.Retried(c)
	case messages.CRMUpdate:
		o.update(c, m)
	case flushNow:
		o.flushStaged(m)
	case committed:
		o.committed(m)
	case flushTick:
		o.retryFlush()
	case deliveryDone:
		o.deliveryDone(m)
	case retryTick:
		o.retryDue()
	case sweepTick:
		o.sweep()
	case messages.GetCRMOutbox:
		c.Respond(o.list(m))
	case messages.LookupLead:
		o.lookup(c, m)
	case messages.ConfigChanged:
		o.reconfigure(m.Config.CRM)
	default:
		o.d.Log.Warn("unhandled message", zap.String("type", fmt.Sprintf("%T", m)))
	}
}

// start loads the outbox and resumes delivery. A bucket that cannot be read
// is a panic: the supervisor retries with backoff, and accepting updates
// without knowing what was delivered would break idempotency.
func (o *Outbox) start(c actor.Context) {
	o.timers, o.self, o.send = supervision.TimersOf(c), c.Self(), c.ActorSystem().Root.Send
	o.ctx, o.cancel = context.WithCancel(o.d.Context)
	o.lookups = make(chan struct{}, maxLookups)
	o.batch = newBatch()
	if err := o.load(); err != nil {
		panic(fmt.Errorf("crm: load outbox: %w", err))
	}
	applied, err := o.d.Bucket.Applied()
	if err != nil {
		panic(fmt.Errorf("crm: load applied sequence: %w", err))
	}
	o.resend = resend.Asker{Calls: o.d.Calls, Log: o.d.Log}
	o.resend.Ask(c, applied)
	o.prune(o.now())
	o.gauge()
	o.timers.Every("sweep", sweepEvery, sweepTick{})
	o.pump()
	o.d.Log.Info("crm outbox started", zap.Int("pending", len(o.items)-o.parked), zap.Int("parked", o.parked),
		zap.Int("delivered_keys", o.remembered()))
}

// stop commits what is staged (answering the requesters waiting for it),
// then cancels the requests still out and waits for their goroutines; the
// updates they carried stay pending in the store.
func (o *Outbox) stop() {
	if o.cancel == nil {
		return
	}
	o.stopping = true
	o.awaitCommit()
	o.startCommit()
	o.awaitCommit()
	if n := len(o.batch.changes); n > 0 {
		o.d.Log.Error("crm outbox changes lost at stop: the store is failing; their producers must publish them again",
			zap.Int("changes", n))
	}
	o.cancel()
	o.wg.Wait()
	o.d.Log.Info("crm outbox stopped", zap.Int("pending", len(o.items)-o.parked), zap.Int("parked", o.parked),
		zap.Int("interrupted", o.inflight))
}

func (o *Outbox) now() time.Time { return o.d.Now().UTC() }

func (o *Outbox) gauge() { o.d.Metrics.setItems(len(o.items)-o.parked, o.parked) }

// reconfigure takes a reloaded CRM section; a lower max_tries parks an
// update at its next failure, a lower max_items refuses new updates until
// the outbox shrinks.
func (o *Outbox) reconfigure(cfg config.CRM) {
	o.d.Cfg = cfg
	o.pump()
}
