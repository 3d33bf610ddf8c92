package queue

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
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

// gate is a fake dial gate: it records every DialRequest and answers with the
// script's code, or holds the request until the test releases it.
type gate struct {
	script func(messages.DialRequest) (code messages.DialResultCode, reason string, answer bool)

	mu   sync.Mutex
	got  []seen
	held []held
}

type seen struct {
	req messages.DialRequest
	at  time.Time
}

type held struct {
	req    messages.DialRequest
	sender *actor.PID
}

// answerHeld makes the gate answer its n oldest held requests with code.
type answerHeld struct {
	n    int
	code messages.DialResultCode
}

func (g *gate) Receive(c actor.Context) {
	switch m := c.Message().(type) {
	case messages.DialRequest:
		code, reason, answer := g.script(m)
		g.mu.Lock()
		g.got = append(g.got, seen{req: m, at: time.Now()})
		if !answer {
			g.held = append(g.held, held{req: m, sender: c.Sender()})
		}
		g.mu.Unlock()
		if answer {
			c.Respond(messages.DialResult{Ref: m.Ref, Code: code, Reason: reason})
		}
	case answerHeld:
		g.mu.Lock()
		n := min(m.n, len(g.held))
		batch := g.held[:n:n]
		g.held = g.held[n:]
		g.mu.Unlock()
		for _, h := range batch {
			c.Send(h.sender, messages.DialResult{Ref: h.req.Ref, Code: m.code})
		}
	}
}

func (g *gate) requests() []seen {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]seen(nil), g.got...)
}

func holdAll(messages.DialRequest) (messages.DialResultCode, string, bool) { return "", "", false }

type rig struct {
	system  *actor.ActorSystem
	pid     *actor.PID
	gatePID *actor.PID
	gate    *gate
	metrics *Metrics
	dead    *atomic.Int64
}

func testConfig() config.Queue {
	return config.Queue{MaxItems: 1000, Interval: 30 * time.Minute, Batch: 50, MaxTries: 5, MaxDeadLetters: 100}
}

// start spawns a fake gate and the queue in a fresh actor system.
func start(t *testing.T, cfg config.Queue, b *store.Bucket, g *gate) *rig {
	t.Helper()
	schedule, err := businesshours.NewSchedule(config.Default().Business)
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{gate: g,
		metrics: NewMetrics(prometheus.NewRegistry())}
	r.system, r.dead = actortest.System(zap.NewNop())
	sm := supervision.NewMetrics(prometheus.NewRegistry())
	log := zaptest.NewLogger(t, zaptest.Level(zap.InfoLevel))
	r.gatePID = r.system.Root.Spawn(supervision.Props(func() actor.Actor { return g }, zap.NewNop(), sm))
	r.pid = r.system.Root.Spawn(supervision.Props(Producer(Deps{
		Log: log, Cfg: cfg, Schedule: schedule, Bucket: b, Calls: r.gatePID, Metrics: r.metrics,
	}), log, sm))
	return r
}

func (r *rig) ask(t *testing.T, msg interface{}) interface{} {
	t.Helper()
	res, err := r.system.Root.RequestFuture(r.pid, msg, 5*time.Second).Result()
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func (r *rig) queue(t *testing.T) messages.QueueSnapshot {
	t.Helper()
	return r.ask(t, messages.GetQueue{Limit: maxLimit}).(messages.QueueSnapshot)
}

func (r *rig) enqueue(reqs ...messages.DialRequest) {
	for _, req := range reqs {
		r.system.Root.Send(r.pid, messages.EnqueueDial{Request: req, Reason: "outside business hours"})
	}
}

// stop poisons both actors (queued messages are processed first).
func (r *rig) stop(t *testing.T) {
	t.Helper()
	for _, pid := range []*actor.PID{r.pid, r.gatePID} {
		if err := r.system.Root.PoisonFuture(pid).Wait(); err != nil {
			t.Fatal(err)
		}
	}
}

func openBucket(t testing.TB) *store.Bucket { return actortest.OpenBucket(t, supervision.Queue) }

func request(i int) messages.DialRequest {
	return messages.DialRequest{Kind: messages.DialNewLead, RequestID: fmt.Sprintf("r%d", i),
		Lead: messages.Lead{LeadID: fmt.Sprintf("L%d", i), ListID: "7", Phone: phone(i)}}
}

func phone(i int) messages.Phone { return messages.Phone(fmt.Sprintf("+1555555%04d", i)) }

var newYork = actortest.NewYork

// The synctest bubble starts at 2000-01-01 00:00 UTC; these are New York times
// of that weekend and the Monday after.
var (
	saturday = time.Date(2000, 1, 1, 10, 17, 0, 0, newYork)
	monday9  = time.Date(2000, 1, 3, 9, 0, 0, 0, newYork)
	monday10 = time.Date(2000, 1, 3, 10, 0, 0, 0, newYork)
)

// sleepUntil advances fake time to at and lets every actor settle.
var sleepUntil = actortest.SleepUntil

func phones(items []messages.QueueItem) []messages.Phone {
	out := make([]messages.Phone, len(items))
	for i, it := range items {
		out[i] = it.Request.Lead.Phone
	}
	return out
}
