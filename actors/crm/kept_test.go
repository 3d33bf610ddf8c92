package crm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"

	"orchestrator/actors/convoso"
	"orchestrator/actors/store"
	"orchestrator/messages"
)

// Past maxKept committed updates waiting for a slow CRM, the others are
// kept as keys only and read back from the store: every one still reaches
// the CRM whole.
func TestUpdatesPastTheKeptBoundAreReadBackWhole(t *testing.T) {
	const n = maxKept + 50
	s := openStore(t)
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		rec, crm := newRecorder(func(ctx context.Context, _ int, _ convoso.LeadUpdate) error {
			select {
			case <-release:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
		cfg := testCfg()
		cfg.MaxItems = n
		r := start(t, Deps{Bucket: s.Bucket("crm"), Client: crm, Cfg: cfg})
		defer r.stop(t)
		for i := range n {
			r.system.Root.Send(r.pid, completion(i, fmt.Sprint("transcript ", i)))
		}
		synctest.Wait() // committed; maxInFlight deliveries hang
		close(release)
		synctest.Wait()
		calls := rec.all()
		if len(calls) != n {
			t.Fatalf("%d updates delivered, want %d", len(calls), n)
		}
		for _, c := range calls {
			var i int
			_, _ = fmt.Sscanf(c.u.LeadID, "L-%d", &i)
			if want := leadUpdate(fromCall(completion(i, fmt.Sprint("transcript ", i)))); !cmp.Equal(want, c.u) {
				t.Fatalf("delivered %+v, want %+v", c.u, want)
			}
		}
	})
}

// A failed try stores the item's new state with its whole update, which
// the delivery carried: the next try, after a restart, sends it whole.
func TestAFailedTryStoresItsStateWithTheWholeUpdate(t *testing.T) {
	s := openStore(t)
	synctest.Test(t, func(t *testing.T) {
		_, down := newRecorder(func(context.Context, int, convoso.LeadUpdate) error {
			return errors.New("convoso: update lead: http 500")
		})
		r := start(t, Deps{Bucket: s.Bucket("crm"), Client: down})
		done := completion(7, transcript2K)
		r.system.Root.Send(r.pid, done)
		synctest.Wait()
		r.stop(t)

		rec, up := newRecorder(nil)
		r = start(t, Deps{Bucket: s.Bucket("crm"), Client: up})
		defer r.stop(t)
		ob := r.outbox(t, false)
		if len(ob.Items) != 1 || ob.Items[0].Tries != 1 || ob.Items[0].LastError == "" ||
			!cmp.Equal(ob.Items[0].Update, fromCall(done)) {
			t.Fatalf("stored after a failed try: %+v", ob)
		}
		time.Sleep(time.Minute)
		synctest.Wait()
		if calls := rec.all(); len(calls) != 1 || !cmp.Equal(calls[0].u, leadUpdate(fromCall(done))) {
			t.Errorf("retried after the restart: %+v", calls)
		}
	})
}

// A state file written by an earlier version (JSON items, RFC 3339
// delivery times) is read: its pending update is delivered whole, its
// delivered key still counts as delivered.
func TestAnOutboxStoredAsJSONIsRead(t *testing.T) {
	s := openStore(t)
	synctest.Test(t, func(t *testing.T) {
		at := time.Now().UTC().Add(-time.Hour)
		pending := messages.CRMOutboxItem{Update: fromCall(completion(1, transcript2K)), CreatedAt: at, NextTry: at}
		item, _ := json.Marshal(pending)
		sent, _ := at.MarshalText()
		if err := s.Bucket("crm").Commit(2, store.Change{Key: itemPrefix + pending.Update.Key, Value: item},
			store.Change{Key: sentPrefix + "call:c-0", Value: sent}); err != nil {
			t.Fatal(err)
		}
		rec, crm := newRecorder(nil)
		r := start(t, Deps{Bucket: s.Bucket("crm"), Client: crm})
		defer r.stop(t)
		r.system.Root.Send(r.pid, completion(0, transcript2K))
		synctest.Wait()
		if calls := rec.all(); len(calls) != 1 || !cmp.Equal(calls[0].u, leadUpdate(pending.Update)) {
			t.Errorf("delivered %+v, want the stored update only", calls)
		}
		if got := r.count(resultDuplicate); got != 1 {
			t.Errorf("duplicate = %v, want 1 (the key delivered before)", got)
		}
	})
}
