package sms

import (
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"

	"orchestrator/actors/blocklist"
	"orchestrator/actors/businesshours"
	"orchestrator/actors/internal/actortest"
	"orchestrator/actors/store"
	"orchestrator/config"
	"orchestrator/messages"
	"orchestrator/supervision"
)

var newYork = actortest.NewYork

var ny = actortest.NY

// sleepUntil advances fake time to at and lets every actor settle.
var sleepUntil = actortest.SleepUntil

// getTimers asks the probe for the drip's timers of this incarnation.
type getTimers struct{}

// probe is the drip with one test-only question.
type probe struct{ *SMS }

func (p probe) Receive(c actor.Context) {
	if _, ok := c.Message().(getTimers); ok {
		c.Respond(supervision.TimersOf(c))
		return
	}
	p.SMS.Receive(c)
}

type rig struct {
	system    *actor.ActorSystem
	pid       *actor.PID
	deps      Deps
	sender    *fakeSender
	journal   *actor.PID
	blocklist *actor.PID
	crm       *recorder
	redial    *recorder
	calls     *recorder
	others    []*actor.PID
	sm        *supervision.Metrics
	dead      *atomic.Int64
	st        *store.Store
}

// start spawns the fakes, a real blocklist and the drip on st.
func start(t *testing.T, cfg config.SMS, st *store.Store) *rig {
	t.Helper()
	r := &rig{sender: &fakeSender{}, st: st,
		sm:  supervision.NewMetrics(prometheus.NewRegistry()),
		crm: &recorder{answer: crmAnswers}, redial: &recorder{answer: redialAnswers}, calls: &recorder{answer: callsAnswers}}
	r.system, r.dead = actortest.System(zap.NewNop())
	spawn := func(a actor.Actor) *actor.PID {
		pid := r.system.Root.Spawn(supervision.Props(func() actor.Actor { return a }, zap.NewNop(), r.sm))
		r.others = append(r.others, pid)
		return pid
	}
	r.journal = spawn(&fakeJournal{})
	r.blocklist = r.system.Root.Spawn(supervision.Props(blocklist.Producer(blocklist.Deps{Log: zap.NewNop(),
		Bucket: st.Bucket(supervision.Blocklist), Readiness: supervision.NewReadiness(),
		Flags: prometheus.NewGauge(prometheus.GaugeOpts{Name: "flags"})}), zap.NewNop(), r.sm))
	r.others = append(r.others, r.blocklist)
	sched, err := businesshours.NewSchedule(config.Default().Business)
	if err != nil {
		t.Fatal(err)
	}
	r.deps = Deps{Log: zaptest.NewLogger(t, zaptest.Level(zap.WarnLevel)), Cfg: cfg, OurNumbers: []string{ourNumber},
		Schedule: sched, Bucket: st.Bucket(supervision.SMS), Sender: r.sender, Metrics: NewMetrics(prometheus.NewRegistry()),
		Journal: r.journal, Blocklist: r.blocklist, CRM: spawn(r.crm), Redial: spawn(r.redial), Calls: spawn(r.calls)}
	actortest.AwaitStarted(t, r.system, r.deps.Calls) // the drip asks it in its Started
	r.spawn()
	return r
}

func (r *rig) spawn() {
	produce := Producer(r.deps)
	r.pid = r.system.Root.Spawn(supervision.Props(func() actor.Actor { return probe{produce().(*SMS)} }, r.deps.Log, r.sm))
}

// restart poisons the drip and starts a new one on the same store.
func (r *rig) restart(t *testing.T) {
	t.Helper()
	if err := r.system.Root.PoisonFuture(r.pid).Wait(); err != nil {
		t.Fatal(err)
	}
	r.spawn()
	synctest.Wait()
}

func (r *rig) ask(t *testing.T, msg interface{}) interface{} {
	t.Helper()
	res, err := r.system.Root.RequestFuture(r.pid, msg, 5*time.Second).Result()
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func (r *rig) send(msg interface{}) {
	r.system.Root.Send(r.pid, msg)
	synctest.Wait()
}

func (r *rig) reply(from messages.Phone, body string) {
	r.system.Root.Send(r.journal, appendReply{body: fmt.Sprintf(`{"from":%q,"to":%q,"body":%q}`, from, ourNumber, body)})
	synctest.Wait()
}

func (r *rig) sequence(t *testing.T, p messages.Phone) messages.SMSSequence {
	t.Helper()
	for _, s := range r.ask(t, messages.GetSMSSequences{Limit: maxLimit}).(messages.SMSSequences).Sequences {
		if s.Phone == p {
			return s
		}
	}
	t.Fatalf("no sequence for %s", p)
	return messages.SMSSequence{}
}

func (r *rig) blocked(t *testing.T, p messages.Phone) bool {
	t.Helper()
	res, err := r.system.Root.RequestFuture(r.blocklist, messages.CheckBlocked{Phone: p}, time.Second).Result()
	if err != nil {
		t.Fatal(err)
	}
	return res.(messages.BlockStatus).Blocked
}

// stop poisons the drip, then the other actors, and returns the drip's
// timers so the caller can see none is left running.
func (r *rig) stop(t *testing.T) *supervision.Timers {
	t.Helper()
	timers := r.ask(t, getTimers{}).(*supervision.Timers)
	for _, pid := range append([]*actor.PID{r.pid}, r.others...) {
		if err := r.system.Root.PoisonFuture(pid).Wait(); err != nil {
			t.Fatal(err)
		}
	}
	return timers
}

func openStore(t testing.TB) *store.Store {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

const (
	ourNumber                = "+15555550188"
	phoneA    messages.Phone = "+15555550101"
	phoneB    messages.Phone = "+15555550102"
	phoneC    messages.Phone = "+15555550103"
)

func voicemail(p messages.Phone, callID, state string) messages.CallCompleted {
	return messages.CallCompleted{Seq: 1, CallID: callID, Phone: p, LeadID: "L-" + string(p[len(p)-3:]), ListID: "7",
		Outcome: messages.OutcomeVoicemail, CompletedAt: time.Now(),
		Variables: map[string]string{"first_name": "Jane", "last_name": "Doe", "state": state}}
}

func nyTimes(ts []text) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.at.In(newYork).Format("Mon 01-02 15:04")
	}
	return out
}
