package crm

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"strconv"
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"go.uber.org/zap"

	"orchestrator/actors/convoso"
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

	items    map[string]*messages.CRMOutboxItem // pending and parked, by key
	parked   int
	inflight map[string]bool
	sent     map[string]time.Time // delivered keys, within deliveredTTL
	sentFIFO []sentKey            // sent in delivery order, for pruning
	retryAt  time.Time            // when the "retry" timer fires; zero: not armed
	warned   bool                 // the delivered-keys bound was hit in this incarnation
}

// Timer and internal messages; only this actor sends them.
type (
	retryTick    struct{}
	sweepTick    struct{}
	deliveryDone struct {
		owner *Outbox // the incarnation that started the delivery
		key   string
		err   error
	}
)

// Producer makes a fresh Outbox for each incarnation.
func Producer(d Deps) actor.Producer {
	if d.Now == nil {
		d.Now = time.Now
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
	case messages.CRMUpdate:
		o.update(c, m)
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
	o.inflight = map[string]bool{}
	if err := o.load(); err != nil {
		panic(fmt.Errorf("crm: load outbox: %w", err))
	}
	o.prune(o.now())
	o.gauge()
	o.timers.Every("sweep", sweepEvery, sweepTick{})
	o.pump()
	o.d.Log.Info("crm outbox started", zap.Int("pending", len(o.items)-o.parked), zap.Int("parked", o.parked),
		zap.Int("delivered_keys", len(o.sent)))
}

// stop cancels the requests still out and waits for their goroutines; the
// updates they carried stay pending in the store.
func (o *Outbox) stop() {
	if o.cancel == nil {
		return
	}
	o.cancel()
	o.wg.Wait()
	o.d.Log.Info("crm outbox stopped", zap.Int("pending", len(o.items)-o.parked), zap.Int("parked", o.parked),
		zap.Int("interrupted", len(o.inflight)))
}

func (o *Outbox) now() time.Time { return o.d.Now().UTC() }

func (o *Outbox) gauge() { o.d.Metrics.setItems(len(o.items)-o.parked, o.parked) }

// errNotQueued is the cause of every refusal answered with messages.Failed.
var errNotQueued = errors.New("not queued")

// update queues a CRMUpdate and answers its requester, if any.
func (o *Outbox) update(c actor.Context, u messages.CRMUpdate) {
	item, err := o.enqueue(u)
	if c.Sender() == nil {
		return
	}
	if err != nil {
		c.Respond(messages.Failed{Actor: supervision.CRM, Reason: err.Error()})
		return
	}
	c.Respond(item)
}

// callCompleted turns a finished call into an update of its lead.
func (o *Outbox) callCompleted(m messages.CallCompleted) {
	if m.LeadID == "" {
		o.d.Log.Debug("call without a CRM lead; no update", zap.String("call_id", m.CallID), zap.Bool("inbound", m.Inbound))
		return
	}
	_, _ = o.enqueue(fromCall(m))
}

// fromCall is the update a finished call makes to its lead.
func fromCall(m messages.CallCompleted) messages.CRMUpdate {
	fields := map[string]string{"call_duration": strconv.FormatInt(int64(math.Round(m.DurationS)), 10)}
	if m.AnsweredBy != "" {
		fields["answered_by"] = m.AnsweredBy
	}
	key := ""
	if m.CallID != "" {
		key = "call:" + m.CallID
	}
	return messages.CRMUpdate{Key: key, LeadID: m.LeadID, ListID: m.ListID, Phone: m.Phone,
		Status: m.Outcome.CRMStatus(), Summary: m.Summary, Transcript: m.Transcript, Fields: fields, Seq: m.Seq}
}

// enqueue persists a new update and schedules it, or says why it did not:
// a duplicate is not an error (the existing item is returned), a refusal is.
func (o *Outbox) enqueue(u messages.CRMUpdate) (messages.CRMOutboxItem, error) {
	now := o.now()
	if why := invalid(u); why != "" {
		o.d.Metrics.count(resultInvalid)
		o.d.Log.Warn("crm update refused", zap.String("reason", why), zap.String("key", logKey(u.Key)), zap.String("lead_id", u.LeadID))
		return messages.CRMOutboxItem{}, fmt.Errorf("%w: %s", errNotQueued, why)
	}
	if it, ok := o.items[u.Key]; ok {
		o.d.Metrics.count(resultDuplicate)
		o.d.Log.Debug("crm update already queued", zap.String("key", logKey(u.Key)), zap.Bool("parked", it.Parked))
		return copyItem(*it), nil
	}
	if at, ok := o.sent[u.Key]; ok && now.Sub(at) < deliveredTTL {
		o.d.Metrics.count(resultDuplicate)
		o.d.Log.Debug("crm update already delivered", zap.String("key", logKey(u.Key)), zap.Time("delivered_at", at))
		return messages.CRMOutboxItem{Update: copyUpdate(u), CreatedAt: at}, nil
	}
	if len(o.items) >= o.d.Cfg.MaxItems {
		o.d.Metrics.count(resultRefusedFull)
		o.d.Log.Error("crm outbox full; update refused", zap.String("key", logKey(u.Key)), zap.String("lead_id", u.LeadID),
			zap.String("status", u.Status), zap.Int("max_items", o.d.Cfg.MaxItems), zap.Int("parked", o.parked))
		return messages.CRMOutboxItem{}, fmt.Errorf("%w: outbox full (%d items)", errNotQueued, len(o.items))
	}
	u = copyUpdate(u)
	u.Summary, u.Transcript = convoso.Clip(u.Summary, convoso.MaxNote), convoso.Clip(u.Transcript, convoso.MaxNote)
	it := &messages.CRMOutboxItem{Update: u, CreatedAt: now, NextTry: now}
	if err := o.commit(u.Seq, o.putItem(it)); err != nil {
		o.d.Metrics.count(resultStoreFailed)
		o.d.Log.Error("crm update not stored; not queued", zap.String("key", logKey(u.Key)), zap.Error(err))
		return messages.CRMOutboxItem{}, fmt.Errorf("%w: not stored: %v", errNotQueued, err)
	}
	o.items[u.Key] = it
	o.d.Metrics.count(resultQueued)
	o.gauge()
	o.d.Log.Debug("crm update queued", zap.String("key", logKey(u.Key)), zap.String("lead_id", u.LeadID), zap.String("status", u.Status))
	o.pump()
	return copyItem(*it), nil
}

// invalid says why an update cannot be queued, or "".
func invalid(u messages.CRMUpdate) string {
	switch {
	case u.Key == "":
		return "no key"
	case u.LeadID == "":
		return "no lead_id"
	case u.Status == "":
		return "no status"
	}
	return ""
}

// reconfigure takes a reloaded CRM section; a lower max_tries parks an
// update at its next failure, a lower max_items refuses new updates until
// the outbox shrinks.
func (o *Outbox) reconfigure(cfg config.CRM) {
	o.d.Cfg = cfg
	o.pump()
}

func copyUpdate(u messages.CRMUpdate) messages.CRMUpdate {
	u.Fields = maps.Clone(u.Fields)
	return u
}

func copyItem(it messages.CRMOutboxItem) messages.CRMOutboxItem {
	it.Update = copyUpdate(it.Update)
	return it
}
