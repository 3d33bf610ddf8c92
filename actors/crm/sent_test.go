package crm

import (
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"orchestrator/actors/store"
)

// sameHash makes every delivered key collide with every other.
func sameHash(string) uint64 { return 42 }

// storedSent lists the delivery records in the store, oldest first, as
// key → delivery time; a record not in the time-ordered layout fails t.
func storedSent(t *testing.T, b *store.Bucket) (keys []string, at map[string]time.Time) {
	t.Helper()
	at = map[string]time.Time{}
	err := b.LoadPrefix(sentPrefix, func(k, v []byte) error {
		ns, key, ok := parseSentRecord(string(k))
		stored, err := decodeSent(v)
		if !ok || err != nil || stored.UnixNano() != ns {
			t.Errorf("record %q = %v (%v): not in the time-ordered layout", k, stored, err)
			return nil
		}
		keys = append(keys, key)
		at[key] = stored
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return keys, at
}

// Keys sharing a hash are each delivered once and each counted delivered,
// before and after a restart; a key never delivered is not taken for a
// delivered one that shares its hash.
func TestKeysSharingAHashAreEachDeliveredOnce(t *testing.T) {
	s := openStore(t)
	synctest.Test(t, func(t *testing.T) {
		rec, crm := newRecorder(nil)
		r := start(t, Deps{Bucket: s.Bucket("crm"), Client: crm, hash: sameHash})
		for i := range 3 {
			r.system.Root.Send(r.pid, completion(i, ""))
			synctest.Wait()
		}
		for i := range 3 {
			r.system.Root.Send(r.pid, completion(i, "")) // resent
		}
		r.system.Root.Send(r.pid, completion(3, "")) // new, same hash
		synctest.Wait()
		if n, dup := len(rec.all()), r.count(resultDuplicate); n != 4 || dup != 3 {
			t.Fatalf("%d deliveries and %v duplicates, want 4 and 3", n, dup)
		}
		r.stop(t)

		r = start(t, Deps{Bucket: s.Bucket("crm"), Client: crm, hash: sameHash})
		defer r.stop(t)
		for i := range 5 {
			r.system.Root.Send(r.pid, completion(i, ""))
		}
		synctest.Wait()
		if n, dup := len(rec.all()), r.count(resultDuplicate); n != 5 || dup != 4 {
			t.Errorf("after a restart: %d deliveries and %v duplicates, want 5 (c-4 new) and 4", n, dup)
		}
	})
}

// A delivery counts as delivered as soon as it is remembered: while its
// record is staged, while the commit writing it runs, and once stored;
// a key sharing its hash does not.
func TestADeliveryNotYetStoredCountsAsDelivered(t *testing.T) {
	s := openStore(t)
	o := idleOutbox(t, s.Bucket("crm"), sameHash)
	now := time.Now()
	check := func(when string, want map[string]bool) {
		t.Helper()
		for key, delivered := range want {
			if _, got := o.deliveredAt(key, now); got != delivered {
				t.Errorf("%s: %s delivered = %v, want %v", when, key, got, delivered)
			}
		}
	}
	o.remember("k:1", now)
	check("staged", map[string]bool{"k:1": true, "k:2": false})
	o.remember("k:2", now)
	check("staged", map[string]bool{"k:1": true, "k:2": true, "k:3": false})
	o.startCommit()
	check("committing", map[string]bool{"k:1": true, "k:2": true, "k:3": false})
	o.awaitCommit()
	if o.writing != nil || len(o.batch.changes) != 0 || o.failing {
		t.Fatalf("commit not done: writing %v, staged %d, failing %v", o.writing, len(o.batch.changes), o.failing)
	}
	check("stored", map[string]bool{"k:1": true, "k:2": true, "k:3": false})
	o = idleOutbox(t, s.Bucket("crm"), sameHash)
	check("loaded", map[string]bool{"k:1": true, "k:2": true, "k:3": false})
	if o.remembered() != 2 || len(o.sentExact) != 1 {
		t.Errorf("loaded %d keys, %d whole; want 2, 1", o.remembered(), len(o.sentExact))
	}
	later := now.Add(deliveredTTL)
	if _, ok := o.deliveredAt("k:1", later); ok {
		t.Error("k:1 counted as delivered past deliveredTTL")
	}
	// Delivered again before the sweep forgot them: each key keeps one record.
	o.remember("k:1", later)
	o.remember("k:2", later)
	o.startCommit()
	o.awaitCommit()
	if _, at := storedSent(t, s.Bucket("crm")); o.remembered() != 2 || len(at) != 2 ||
		at["k:1"].Before(later) || at["k:2"].Before(later) {
		t.Errorf("after a second delivery: %d remembered, stored %v", o.remembered(), at)
	}
}

// Past crm.max_items the oldest delivered keys are forgotten, with one
// Warn, whether stored or only staged, and after deliveredTTL every one is:
// a forgotten key is delivered again.
func TestDeliveredKeysAreForgottenOldestFirst(t *testing.T) {
	for _, hash := range map[string]func(string) uint64{"maphash": nil, "colliding": sameHash} {
		s := openStore(t)
		synctest.Test(t, func(t *testing.T) {
			core, logs := observer.New(zapcore.WarnLevel)
			rec, crm := newRecorder(nil)
			cfg := testCfg()
			cfg.MaxItems = 2
			r := start(t, Deps{Log: zap.New(core), Bucket: s.Bucket("crm"), Client: crm, Cfg: cfg, hash: hash})
			defer r.stop(t)
			for i := range 4 { // c-2 and c-3 in one commit: c-2 is forgotten before it is stored
				r.system.Root.Send(r.pid, completion(i, ""))
				if i < 2 {
					synctest.Wait()
				}
			}
			synctest.Wait()
			if _, at := storedSent(t, s.Bucket("crm")); len(at) != 2 || at["call:c-2"].IsZero() || at["call:c-3"].IsZero() {
				t.Errorf("stored %v, want call:c-2 and call:c-3", at)
			}
			if n := logs.FilterMessageSnippet("forgetting the oldest").Len(); n != 1 {
				t.Errorf("%d warnings, want 1", n)
			}
			r.system.Root.Send(r.pid, completion(3, "")) // remembered
			r.system.Root.Send(r.pid, completion(0, "")) // forgotten: delivered again
			synctest.Wait()
			if n, dup := len(rec.all()), r.count(resultDuplicate); n != 5 || dup != 1 {
				t.Errorf("%d deliveries and %v duplicates, want 5 and 1", n, dup)
			}
			time.Sleep(deliveredTTL + sweepEvery)
			synctest.Wait()
			if keys, _ := storedSent(t, s.Bucket("crm")); len(keys) != 0 {
				t.Errorf("stored after %v: %v", deliveredTTL, keys)
			}
			r.system.Root.Send(r.pid, completion(3, ""))
			synctest.Wait()
			if n := len(rec.all()); n != 6 {
				t.Errorf("%d deliveries, want 6: c-3 again after %v", n, deliveredTTL)
			}
		})
	}
}

// Delivered keys stored by earlier versions ("sent:<key>", the time in the
// value, binary or RFC 3339) are read at start and rewritten in the
// time-ordered layout with their delivery times; an expired one is dropped.
func TestDeliveredKeysOfEarlierVersionsAreRewritten(t *testing.T) {
	s := openStore(t)
	synctest.Test(t, func(t *testing.T) {
		now := time.Now().UTC()
		rfc, _ := now.Add(-2 * time.Hour).MarshalText()
		if err := s.Bucket("crm").Commit(5,
			store.Change{Key: sentPrefix + "call:c-0", Value: encodeSent(now.Add(-time.Hour))},
			store.Change{Key: sentPrefix + "call:c-1", Value: rfc},
			store.Change{Key: sentPrefix + "call:c-2", Value: encodeSent(now.Add(-deliveredTTL - time.Minute))},
		); err != nil {
			t.Fatal(err)
		}
		core, logs := observer.New(zapcore.InfoLevel)
		rec, crm := newRecorder(nil)
		r := start(t, Deps{Log: zap.New(core), Bucket: s.Bucket("crm"), Client: crm})
		r.outbox(t, false) // started
		keys, at := storedSent(t, s.Bucket("crm"))
		if len(keys) != 2 || keys[0] != "call:c-1" || keys[1] != "call:c-0" ||
			!at["call:c-0"].Equal(now.Add(-time.Hour)) || !at["call:c-1"].Equal(now.Add(-2*time.Hour)) {
			t.Errorf("stored %v %v, want call:c-1 then call:c-0 at their times", keys, at)
		}
		if st := logs.FilterMessage("crm outbox started").All(); len(st) != 1 || st[0].ContextMap()["delivered_keys"] != int64(2) {
			t.Errorf("start lines %+v, want one with delivered_keys 2", st)
		}
		for i := range 3 {
			r.system.Root.Send(r.pid, completion(i, ""))
		}
		synctest.Wait()
		if calls := rec.all(); len(calls) != 1 || calls[0].u.LeadID != "L-2" || r.count(resultDuplicate) != 2 {
			t.Errorf("delivered %+v with %v duplicates, want L-2 only and 2", calls, r.count(resultDuplicate))
		}
		r.stop(t)

		r = start(t, Deps{Bucket: s.Bucket("crm"), Client: crm})
		defer r.stop(t)
		for i := range 3 {
			r.system.Root.Send(r.pid, completion(i, ""))
		}
		synctest.Wait()
		if n, dup := len(rec.all()), r.count(resultDuplicate); n != 1 || dup != 3 {
			t.Errorf("after a restart: %d deliveries and %v duplicates, want 1 and 3", n, dup)
		}
	})
}
