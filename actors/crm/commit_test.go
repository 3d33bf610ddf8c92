package crm

import (
	"fmt"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"orchestrator/messages"
)

func TestARequesterIsAnsweredOnlyOnceItsUpdateIsStored(t *testing.T) {
	s := openStore(t)
	synctest.Test(t, func(t *testing.T) {
		_, crm := newRecorder(hang)
		r := start(t, Deps{Bucket: s.Bucket("crm"), Client: crm})
		defer r.stop(t)
		for i := range 3 {
			key := fmt.Sprintf("sms:%d", i)
			if _, ok := r.ask(t, update(key, "900")).(messages.CRMOutboxItem); !ok {
				t.Fatalf("%s not acknowledged", key)
			}
			if raw, err := s.Bucket("crm").Get(itemPrefix + key); raw == nil || err != nil {
				t.Errorf("%s acknowledged but not in the store (err %v)", key, err)
			}
		}
	})
}

func TestStopStoresWhatIsStaged(t *testing.T) {
	const n = 2*maxStaged + 5 // two commits on the way, the rest at the stop
	s := openStore(t)
	synctest.Test(t, func(t *testing.T) {
		_, down := newRecorder(hang)
		cfg := testCfg()
		cfg.MaxItems = n
		r := start(t, Deps{Bucket: s.Bucket("crm"), Client: down, Cfg: cfg})
		for i := range n {
			r.system.Root.Send(r.pid, messages.CallCompleted{CallID: fmt.Sprint(i), LeadID: "900", Outcome: messages.OutcomeVoicemail,
				Summary: "summary", Transcript: fmt.Sprint("transcript ", i)})
		}
		r.stop(t) // its flushNow may be behind the poison pill: the stop must commit

		rec, up := newRecorder(nil)
		r = start(t, Deps{Bucket: s.Bucket("crm"), Client: up, Cfg: cfg})
		defer r.stop(t)
		synctest.Wait()
		calls := rec.all()
		if len(calls) != n {
			t.Fatalf("%d updates delivered after the restart, want %d", len(calls), n)
		}
		for _, c := range calls { // their notes come back from the store
			if c.u.Summary != "summary" || !strings.HasPrefix(c.u.Transcript, "transcript ") {
				t.Fatalf("delivered %+v", c.u)
			}
		}
	})
}

func TestAFailedCommitRefusesTheRequesterButKeepsACompletedCall(t *testing.T) {
	s := openStore(t)
	synctest.Test(t, func(t *testing.T) {
		core, logs := observer.New(zapcore.InfoLevel)
		rec, crm := newRecorder(nil)
		r := start(t, Deps{Log: zap.New(core), Bucket: s.Bucket("crm"), Client: crm})
		r.outbox(t, false)                // started: its bucket is loaded
		if err := s.Close(); err != nil { // every commit fails from now on
			t.Fatal(err)
		}
		refused, ok := r.ask(t, update("sms:1", "900")).(messages.Failed)
		if !ok || !strings.Contains(refused.Reason, "not stored") {
			t.Fatalf("update answered %+v, want messages.Failed (not stored)", refused)
		}
		if ob := r.outbox(t, false); ob.Pending != 0 {
			t.Errorf("a refused update is still queued: %+v", ob)
		}
		r.system.Root.Send(r.pid, messages.CallCompleted{CallID: "c1", LeadID: "901", Outcome: messages.OutcomeVoicemail, Transcript: "hi"})
		time.Sleep(5 * flushRetry)
		synctest.Wait()
		if calls := rec.all(); len(calls) != 1 || calls[0].u.LeadID != "901" || calls[0].u.Transcript != "hi" {
			t.Errorf("the completed call was not delivered from memory: %+v", calls)
		}
		if got := r.count(resultStoreFailed); got != 1 {
			t.Errorf("store_failed = %v, want 1", got)
		}
		r.stop(t)
		if logs.FilterMessage("crm outbox changes lost at stop: the store is failing; their producers must publish them again").Len() != 1 {
			t.Error("the changes lost at stop were not reported")
		}
		time.Sleep(time.Hour)
		synctest.Wait()
		if n := r.dead.Load(); n != 0 {
			t.Errorf("%d dead letters after stop", n)
		}
	})
}
