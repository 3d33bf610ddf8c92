package blocklist

import (
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/goleak"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"

	"orchestrator/actors/internal/actortest"
	"orchestrator/actors/store"
	"orchestrator/config"
	"orchestrator/messages"
	"orchestrator/supervision"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("github.com/asynkron/protoactor-go/actor.NewDeadLetter.NewThrottle.func4.1"))
}

type rig struct {
	system    *actor.ActorSystem
	pid       *actor.PID
	readiness *supervision.Readiness
	dead      *atomic.Int64
}

func start(t *testing.T, log *zap.Logger, b *store.Bucket) *rig {
	t.Helper()
	r := &rig{readiness: supervision.NewReadiness()}
	r.system, r.dead = actortest.System(log)
	r.pid = r.system.Root.Spawn(supervision.Props(Producer(Deps{
		Log: log, Cfg: config.Default().Blocklist, Bucket: b, Readiness: r.readiness,
		Flags: prometheus.NewGauge(prometheus.GaugeOpts{Name: "x"}),
	}), log, supervision.NewMetrics(prometheus.NewRegistry())))
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

func (r *rig) stop(t *testing.T) {
	t.Helper()
	if err := r.system.Root.PoisonFuture(r.pid).Wait(); err != nil {
		t.Fatal(err)
	}
}

var openStore = actortest.OpenStore

func TestAddIsIdempotentNormalisedAndSurvivesARestart(t *testing.T) {
	s, path := openStore(t)
	r := start(t, zaptest.NewLogger(t), s.Bucket("blocklist"))
	first := r.ask(t, messages.AddBlock{Field: "phone", Value: "(555) 555-0123", Reason: "asked", AddedBy: "admin"}).(messages.BlockAdded)
	again := r.ask(t, messages.AddBlock{Field: "phone", Value: "+1 555 555 0123", Reason: "again", AddedBy: "admin"}).(messages.BlockAdded)
	if !first.Created || again.Created || again.Flag.ID != first.Flag.ID || first.Flag.Value != "+15555550123" {
		t.Fatalf("adds: %+v then %+v", first, again)
	}
	lead := r.ask(t, messages.AddBlock{Field: "lead_id", Value: "900123", AddedBy: "admin"}).(messages.BlockAdded)
	bad := r.ask(t, messages.AddBlock{Field: "email", Value: "x"}).(messages.BlockAdded)
	if bad.Err == "" || lead.Err != "" {
		t.Fatalf("lead add %+v, bad field %+v", lead, bad)
	}
	r.stop(t)
	_ = s.Close()

	s, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	r = start(t, zaptest.NewLogger(t), s.Bucket("blocklist"))
	defer r.stop(t)
	checks := []struct {
		q    messages.CheckBlocked
		want bool
	}{
		{messages.CheckBlocked{Phone: "+15555550123"}, true},
		{messages.CheckBlocked{Phone: "+15555550124"}, false},
		{messages.CheckBlocked{Phone: "+15555550124", LeadID: "900123"}, true},
		{messages.CheckBlocked{LeadID: "900124"}, false},
	}
	for _, c := range checks {
		if got := r.ask(t, c.q).(messages.BlockStatus); got.Blocked != c.want {
			t.Errorf("check %+v = %+v, want blocked=%v", c.q, got, c.want)
		}
	}
	list := r.ask(t, messages.ListBlocks{Limit: 10}).(messages.BlockList)
	if list.Total != 2 || list.Flags[0].Field != "lead_id" { // newest first
		t.Fatalf("list = %+v", list)
	}
	if got := r.ask(t, messages.RemoveBlock{ID: first.Flag.ID}).(messages.BlockRemoved); !got.Found {
		t.Fatal("remove did not find the flag")
	}
	if got := r.ask(t, messages.CheckBlocked{Phone: "+15555550123"}).(messages.BlockStatus); got.Blocked {
		t.Fatal("still blocked after remove")
	}
}

func TestDNCPhraseFromTheCustomerBlocklistsThePhone(t *testing.T) {
	s, _ := openStore(t)
	defer s.Close()
	r := start(t, zaptest.NewLogger(t), s.Bucket("blocklist"))
	defer r.stop(t)
	r.system.Root.Send(r.pid, messages.CallCompleted{CallID: "c1", Phone: "+15555550123",
		Transcript: "assistant: If you prefer we can stop calling. user: Please put me on your Do Not Call list."})
	r.system.Root.Send(r.pid, messages.CallCompleted{CallID: "c2", Phone: "+15555550124",
		Transcript: "assistant: Reply and we will stop calling you. user: ok thanks"})
	for phone, want := range map[messages.Phone]bool{"+15555550123": true, "+15555550124": false} {
		got := r.ask(t, messages.CheckBlocked{Phone: phone}).(messages.BlockStatus)
		if got.Blocked != want {
			t.Errorf("%s blocked=%v, want %v (%+v)", phone, got.Blocked, want, got.Flag)
		}
	}
}

func TestFailsClosedWhileItCannotLoadAndLeavesNoTimerBehind(t *testing.T) {
	s, _ := openStore(t)
	_ = s.Close() // every read now fails
	synctest.Test(t, func(t *testing.T) {
		r := start(t, zap.NewNop(), s.Bucket("blocklist"))
		got := r.ask(t, messages.CheckBlocked{Phone: "+15555550199"}).(messages.BlockStatus)
		if !got.Blocked || !got.Unavailable {
			t.Fatalf("check while unloadable = %+v, want blocked (fail closed)", got)
		}
		if ready, why := r.readiness.Check(); ready || why[supervision.Blocklist] == "" {
			t.Fatalf("readiness = %v %v", ready, why)
		}
		time.Sleep(2 * reloadEvery) // the reload timer keeps trying
		synctest.Wait()
		r.stop(t)
		time.Sleep(24 * time.Hour)
		synctest.Wait()
		if n := r.dead.Load(); n != 0 {
			t.Fatalf("%d dead letters after stop", n)
		}
	})
}
