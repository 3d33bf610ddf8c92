package redial

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"

	"orchestrator/actors/businesshours"
	"orchestrator/actors/internal/actortest"
	"orchestrator/actors/store"
	"orchestrator/config"
	"orchestrator/messages"
	"orchestrator/supervision"
)

var (
	newYork    = actortest.NewYork
	ny         = actortest.NY
	sleepUntil = actortest.SleepUntil
)

func testHours(t testing.TB) *businesshours.Schedule {
	t.Helper()
	s, err := businesshours.NewSchedule(config.Business{Timezone: "America/New_York",
		Days: []string{"mon", "tue", "wed", "thu", "fri"}, Open: "09:00", Close: "17:00"})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func testConfig() config.Redial {
	cfg := config.Default().Redial
	cfg.JitterMin, cfg.JitterMax = 0, 0
	return cfg
}

// dial is one DialRequest the fake gate saw.
type dial struct {
	phone messages.Phone
	at    time.Time
}

// gate is a fake dial gate. script decides the answer (nil: dialled); a
// dialled request gets a call id and, 30 fake seconds later, a CallCompleted
// to the asker with outcome(phone, dial time).
type gate struct {
	script  func(messages.DialRequest) messages.DialResult
	outcome func(messages.Phone, time.Time) messages.Outcome

	mu    sync.Mutex
	dials []dial
	n     int
}

func (g *gate) Receive(c actor.Context) {
	m, ok := c.Message().(messages.DialRequest)
	if !ok {
		return
	}
	now := time.Now()
	g.mu.Lock()
	g.dials = append(g.dials, dial{phone: m.Lead.Phone, at: now})
	g.n++
	id := fmt.Sprintf("call-%d", g.n)
	g.mu.Unlock()
	if m.Kind != messages.DialRedial || messages.Phone(m.Ref) != m.Lead.Phone {
		panic(fmt.Sprintf("bad redial request %+v", m))
	}
	if g.script != nil {
		if res := g.script(m); res.Code != messages.DialDialled {
			res.Ref = m.Ref
			c.Respond(res)
			return
		}
	}
	c.Respond(messages.DialResult{Ref: m.Ref, Code: messages.DialDialled, CallID: id})
	out := messages.OutcomeNoAnswer
	if g.outcome != nil {
		out = g.outcome(m.Lead.Phone, now)
	}
	sender, root, lead := c.Sender(), c.ActorSystem().Root, m.Lead
	time.AfterFunc(30*time.Second, func() {
		root.Send(sender, messages.CallCompleted{CallID: id, Phone: lead.Phone, LeadID: lead.LeadID, ListID: lead.ListID,
			Outcome: out, CompletedAt: time.Now()})
	})
}

func (g *gate) seen() []dial {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]dial(nil), g.dials...)
}

func (g *gate) dialsOf(p messages.Phone) []time.Time {
	var out []time.Time
	for _, d := range g.seen() {
		if d.phone == p {
			out = append(out, d.at)
		}
	}
	return out
}

type rig struct {
	system     *actor.ActorSystem
	pid        *actor.PID
	gatePID    *actor.PID
	gate       *gate
	journal    *fakeJournal
	journalPID *actor.PID
	deps       Deps
	sm         *supervision.Metrics
	dead       *atomic.Int64
}

// start spawns the fake gate and the cadence in a fresh actor system.
func start(t *testing.T, cfg config.Redial, b *store.Bucket, g *gate) *rig {
	t.Helper()
	r := &rig{gate: g, sm: supervision.NewMetrics(prometheus.NewRegistry())}
	r.system, r.dead = actortest.System(zap.NewNop())
	r.gatePID = r.system.Root.Spawn(supervision.Props(func() actor.Actor { return g }, zap.NewNop(), r.sm))
	r.journal = &fakeJournal{}
	r.journalPID = r.system.Root.Spawn(supervision.Props(func() actor.Actor { return r.journal }, zap.NewNop(), r.sm))
	log := zaptest.NewLogger(t, zaptest.Level(zap.WarnLevel))
	r.deps = Deps{Log: log, Cfg: cfg, Schedule: testHours(t), Bucket: b, Calls: r.gatePID, Journal: r.journalPID,
		Metrics: NewMetrics(prometheus.NewRegistry())}
	r.spawn()
	return r
}

// spawn starts the cadence under a fixed name, as the root does, so the
// journal's subscription survives a restart.
func (r *rig) spawn() {
	pid, err := r.system.Root.SpawnNamed(supervision.Props(Producer(r.deps), r.deps.Log, r.sm), "redial")
	if err != nil {
		panic(err)
	}
	r.pid = pid
}

// restart poisons the cadence and starts a new one on the same store.
func (r *rig) restart(t *testing.T) {
	t.Helper()
	if err := r.system.Root.PoisonFuture(r.pid).Wait(); err != nil {
		t.Fatal(err)
	}
	r.spawn()
}

func (r *rig) ask(t *testing.T, msg interface{}) interface{} {
	t.Helper()
	res, err := r.system.Root.RequestFuture(r.pid, msg, 5*time.Second).Result()
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func (r *rig) records(t *testing.T) []messages.RedialRecord {
	t.Helper()
	return r.ask(t, messages.GetRedialRecords{Limit: maxLimit}).(messages.RedialRecords).Records
}

func (r *rig) record(t *testing.T, p messages.Phone) messages.RedialRecord {
	t.Helper()
	for _, rec := range r.records(t) {
		if rec.Phone == p {
			return rec
		}
	}
	t.Fatalf("no record for %s", p)
	return messages.RedialRecord{}
}

func (r *rig) send(msg interface{}) { r.system.Root.Send(r.pid, msg) }

func (r *rig) stop(t *testing.T) {
	t.Helper()
	for _, pid := range []*actor.PID{r.pid, r.gatePID, r.journalPID} {
		if err := r.system.Root.PoisonFuture(pid).Wait(); err != nil {
			t.Fatal(err)
		}
	}
}

func openBucket(t testing.TB) *store.Bucket { return actortest.OpenBucket(t, supervision.Redial) }

// lead posts a lead webhook to the journal and lets the cadence take it
// (inside a synctest bubble).
func (r *rig) lead(p messages.Phone, id string) {
	r.system.Root.Send(r.journalPID, appendRecord{source: messages.SourceLead, body: leadBody(p, id)})
	synctest.Wait()
}

func firstCompletion(p messages.Phone, id string, out messages.Outcome) messages.CallCompleted {
	return messages.CallCompleted{CallID: "first-" + string(p), Phone: p, LeadID: id, ListID: "7", Outcome: out,
		CompletedAt: time.Now()}
}
