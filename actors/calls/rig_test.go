package calls

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/goleak"
	"go.uber.org/zap"

	"orchestrator/actors/bland"
	"orchestrator/actors/businesshours"
	"orchestrator/actors/internal/actortest"
	"orchestrator/actors/store"
	"orchestrator/config"
	"orchestrator/messages"
	"orchestrator/supervision"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("github.com/asynkron/protoactor-go/actor.NewDeadLetter.NewThrottle.func4.1"))
}

// fakeDialer records calls; hold, when set, blocks each call until closed.
type fakeDialer struct {
	mu    sync.Mutex
	calls []bland.CallRequest
	fail  error
	hold  chan struct{}
	// called, when set, gets a value as each call reaches the dialer.
	called chan struct{}
}

func (f *fakeDialer) Call(ctx context.Context, req bland.CallRequest) (bland.CallResult, error) {
	f.mu.Lock()
	f.calls = append(f.calls, req)
	n, fail, hold, called := len(f.calls), f.fail, f.hold, f.called
	f.mu.Unlock()
	if called != nil {
		called <- struct{}{}
	}
	if hold != nil {
		select {
		case <-hold:
		case <-ctx.Done():
			return bland.CallResult{}, ctx.Err()
		}
	}
	if fail != nil {
		return bland.CallResult{}, fail
	}
	return bland.CallResult{CallID: fmt.Sprintf("call-%d", n)}, nil
}

func (f *fakeDialer) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls)
}

// fakeBlocklist blocks the phones and leads in its set.
type fakeBlocklist struct{ blocked map[string]bool }

func (f *fakeBlocklist) Receive(c actor.Context) {
	if m, ok := c.Message().(messages.CheckBlocked); ok {
		st := messages.BlockStatus{Ref: m.Ref}
		if f.blocked[string(m.Phone)] || f.blocked[m.LeadID] {
			st.Blocked, st.Flag = true, &messages.BlockFlag{Field: "phone", Reason: "test"}
		}
		c.Respond(st)
	}
}

// fakeAM says the cap is reached for the leads in its set, and never
// answers for the leads silenced.
type fakeAM struct {
	capped map[string]bool
	mu     sync.Mutex
	silent map[string]bool
}

func (f *fakeAM) Receive(c actor.Context) {
	if m, ok := c.Message().(messages.CheckAMCap); ok {
		f.mu.Lock()
		silent := f.silent[m.LeadID]
		f.mu.Unlock()
		if !silent {
			c.Respond(messages.AMCapStatus{Ref: m.Ref, Reached: f.capped[m.LeadID], Count: 4})
		}
	}
}

func (f *fakeAM) silence(leads ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.silent = map[string]bool{}
	for _, l := range leads {
		f.silent[l] = true
	}
}

// fakeJournal serves ReplayJournal from records the test adds, as the
// journal does (Sources, Limit, Ref). The next holdRefs answers to a request
// with a Ref are read but kept until a releaseHeld.
type fakeJournal struct {
	mu       sync.Mutex
	records  []messages.WebhookRecord
	subs     []*actor.PID
	holdRefs int
	held     []heldBatch
}

type heldBatch struct {
	to  *actor.PID
	out messages.JournalBatch
}

// releaseHeld sends the answers the fake journal kept.
type releaseHeld struct{}

func (f *fakeJournal) Receive(c actor.Context) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch m := c.Message().(type) {
	case messages.SubscribeJournal:
		f.subs = append(f.subs, m.Subscriber)
		c.Send(m.Subscriber, messages.JournalAdvanced{Durable: uint64(len(f.records))})
	case messages.ReplayJournal:
		out := messages.JournalBatch{Ref: m.Ref}
		for _, r := range f.records {
			if r.Seq <= m.After || len(m.Sources) > 0 && !slices.Contains(m.Sources, r.Source) {
				continue
			}
			if m.Limit > 0 && len(out.Records) == m.Limit {
				out.More = true
				break
			}
			out.Records = append(out.Records, r)
		}
		if m.Ref != "" && f.holdRefs > 0 {
			f.holdRefs--
			f.held = append(f.held, heldBatch{to: c.Sender(), out: out})
			return
		}
		c.Respond(out)
	case releaseHeld:
		for _, h := range f.held {
			c.Send(h.to, h.out)
		}
		f.held = nil
	case messages.WebhookRecord:
		m.Seq = uint64(len(f.records) + 1)
		f.records = append(f.records, m)
		for _, s := range f.subs {
			c.Send(s, messages.JournalAdvanced{Durable: m.Seq})
		}
	}
}

// recorder collects what an actor is sent.
type recorder struct {
	mu   sync.Mutex
	msgs []interface{}
	got  chan interface{}
}

func newRecorder() *recorder { return &recorder{got: make(chan interface{}, 1024)} }

func (r *recorder) Receive(c actor.Context) {
	switch c.Message().(type) {
	case *actor.Started, *actor.Stopping, *actor.Stopped:
		return
	}
	r.mu.Lock()
	r.msgs = append(r.msgs, c.Message())
	r.mu.Unlock()
	r.got <- c.Message()
}

type rig struct {
	t        testing.TB
	system   *actor.ActorSystem
	pid      *actor.PID
	dialer   *fakeDialer
	journal  *fakeJournal
	jpid     *actor.PID
	queue    *recorder
	consumer *recorder
	block    *fakeBlocklist
	am       *fakeAM
	store    *store.Store
	deps     Deps
	dead     *atomic.Int64
}

// hoursAlways is open all day every day; hoursNever is open on no day.
func hoursOf(t testing.TB, days []string, anytime bool) *businesshours.Schedule {
	h, err := businesshours.NewSchedule(config.Business{Timezone: "America/New_York", Days: days, Open: "00:00", Close: "24:00", CallbacksAnytime: anytime})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

var everyDay = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

func testCallsConfig() config.Calls {
	c := config.Default().Calls
	c.MaxDailyPerPhone = 3
	return c
}

func newRig(t testing.TB, dir string, hours *businesshours.Schedule) *rig {
	t.Helper()
	s, err := store.Open(filepath.Join(dir, "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{t: t, dialer: &fakeDialer{}, journal: &fakeJournal{},
		queue: newRecorder(), consumer: newRecorder(), block: &fakeBlocklist{blocked: map[string]bool{}},
		am: &fakeAM{capped: map[string]bool{}}, store: s}
	r.system, r.dead = actortest.System(zap.NewNop())
	spawn := func(a actor.Actor) *actor.PID {
		return r.system.Root.Spawn(actor.PropsFromProducer(func() actor.Actor { return a }))
	}
	r.jpid = spawn(r.journal)
	r.deps = Deps{
		Log: zap.NewNop(), Cfg: testCallsConfig(), FromNumbers: []string{"+15555550188"}, Schedule: hours,
		Bucket: s.Bucket("calls"), Dialer: r.dialer, Metrics: NewMetrics(prometheus.NewRegistry()), Context: context.Background(),
		Journal: r.jpid, Blocklist: spawn(r.block), Queue: spawn(r.queue), AMTracker: spawn(r.am),
		Consumers: []*actor.PID{spawn(r.consumer)},
	}
	r.start()
	return r
}

// start spawns the actor under a fixed name, so its PID survives restarts
// as it does under the root.
func (r *rig) start() {
	pid, err := r.system.Root.SpawnNamed(supervision.Props(Producer(r.deps), zap.NewNop(), supervision.NewMetrics(prometheus.NewRegistry())), "calls")
	if err != nil {
		r.t.Fatal(err)
	}
	r.pid = pid
}

func (r *rig) stopCalls() {
	r.t.Helper()
	if err := r.system.Root.PoisonFuture(r.pid).Wait(); err != nil {
		r.t.Fatal(err)
	}
}

// close stops everything; the store last.
func (r *rig) close() {
	r.stopCalls()
	_ = r.store.Close()
}

func (r *rig) dial(req messages.DialRequest) messages.DialResult {
	r.t.Helper()
	res, err := r.system.Root.RequestFuture(r.pid, req, 10*time.Second).Result()
	if err != nil {
		r.t.Fatalf("dial: %v", err)
	}
	return res.(messages.DialResult)
}

// post adds a webhook record to the fake journal (as the gateway would).
func (r *rig) post(source string, body []byte) {
	r.system.Root.Send(r.jpid, messages.WebhookRecord{Source: source, Result: messages.ResultProcessed,
		Body: body, ReceivedAt: time.Now().UTC(), RequestID: "req"})
}

func lead(id, phone string) messages.Lead {
	return messages.Lead{LeadID: id, ListID: "4242", Phone: messages.Phone(phone), FirstName: "Jane"}
}

func completionBody(callID, to, status, answeredBy string, merged bool) []byte {
	transfer := "null"
	if merged {
		transfer = `{"state":"MERGED"}`
	}
	return []byte(fmt.Sprintf(`{"call_id":%q,"to":%q,"from":"+15555550188","status":%q,"answered_by":%q,"corrected_duration":40,"warm_transfer_call":%s}`,
		callID, to, status, answeredBy, transfer))
}
