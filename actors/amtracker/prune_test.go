package amtracker

import (
	"testing"
	"testing/synctest"
	"time"

	"orchestrator/config"
	"orchestrator/messages"
)

// The synctest bubble starts at 2000-01-01 00:00 UTC, 19:00 on 1999-12-31 in
// New York; the prune time is the default 20:30.
func TestYesterdayIsPrunedAtPruneTimeAndTheTimerReArms(t *testing.T) {
	b := openBucket(t)
	synctest.Test(t, func(t *testing.T) {
		r := start(t, config.Default().AMTracker, b, nil)
		r.send(calls("c", 4, "L1", p1, vm, time.Time{})...)
		if got := r.stats(t); got.Day != "1999-12-31" || got.AtCap != 1 || r.atCap() != 1 {
			t.Fatalf("stats %+v, gauge %v; want 1999-12-31 with 1 at cap", got, r.atCap())
		}

		sleepUntil(ny(1999, 12, 31, 20, 30)) // today's prune keeps today
		if got := r.stats(t); got.PrunedDays != 0 || got.Leads != 1 || len(keys(t, b)) != 1 {
			t.Fatalf("after today's prune: stats %+v, keys %q", got, keys(t, b))
		}

		sleepUntil(ny(2000, 1, 1, 0, 0)) // a new day: nobody at cap, yesterday kept
		if g := r.atCap(); g != 0 {
			t.Errorf("at_cap gauge at midnight = %v, want 0", g)
		}
		if got := r.check(t, messages.CheckAMCap{LeadID: "L1"}); got.Reached || got.Count != 0 {
			t.Errorf("check the next day = %+v, want not reached", got)
		}
		sleepUntil(ny(2000, 1, 1, 20, 30).Add(-time.Nanosecond))
		if k := keys(t, b); len(k) != 1 {
			t.Fatalf("keys just before the prune = %q, want yesterday's", k)
		}

		sleepUntil(ny(2000, 1, 1, 20, 30))
		if k := keys(t, b); len(k) != 0 {
			t.Fatalf("keys after the prune = %q, want none", k)
		}
		if got := r.stats(t); got.PrunedDays != 1 || got.Day != "2000-01-01" {
			t.Fatalf("stats after the prune = %+v, want 1 day pruned", got)
		}

		sleepUntil(ny(2000, 1, 1, 21, 0)) // counted after today's prune: dropped at tomorrow's
		r.send(calls("d", 4, "L2", p2, na, time.Time{})...)
		time.Sleep(flushEvery) // counts reach the store with the next batch
		synctest.Wait()
		if got := r.stats(t); got.AtCap != 1 || r.atCap() != 1 || len(keys(t, b)) != 1 {
			t.Fatalf("stats %+v, gauge %v, keys %q", got, r.atCap(), keys(t, b))
		}
		sleepUntil(ny(2000, 1, 2, 20, 30))
		if k := keys(t, b); len(k) != 0 {
			t.Fatalf("keys after the second day's prune = %q, want none (the timer re-armed)", k)
		}
		if g := r.atCap(); g != 0 {
			t.Errorf("at_cap gauge = %v, want 0", g)
		}

		r.stop(t)
		time.Sleep(48 * time.Hour)
		synctest.Wait()
		if n := r.dead.Load(); n != 0 {
			t.Fatalf("%d dead letters after stop", n)
		}
	})
}

func TestConfigChangedTakesEffectOnTheNextCheckAndReArmsThePrune(t *testing.T) {
	b := openBucket(t)
	synctest.Test(t, func(t *testing.T) {
		r := start(t, config.Default().AMTracker, b, nil)
		r.send(calls("c", 2, "L1", p1, vm, time.Time{})...)
		r.send(call("y1", "L3", p2, vm, ny(1999, 12, 30, 12, 0))) // yesterday's, kept until a prune
		if got := r.check(t, messages.CheckAMCap{LeadID: "L1"}); got.Reached || got.Count != 2 {
			t.Fatalf("check with max 4 = %+v, want 2, not reached", got)
		}

		cfg := config.Default()
		cfg.AMTracker = config.AMTracker{Tracked: []string{"VOICEMAIL"}, MaxPerDay: 2, PruneAt: "19:30"}
		r.system.Root.Send(r.pid, messages.ConfigChanged{Config: cfg})
		if got := r.check(t, messages.CheckAMCap{LeadID: "L1"}); !got.Reached || got.Count != 2 {
			t.Fatalf("check with max 2 = %+v, want 2, reached", got)
		}
		if g := r.atCap(); g != 1 {
			t.Errorf("at_cap gauge after the cap was lowered = %v, want 1", g)
		}
		r.send(call("n1", "L4", p2, na, time.Time{})) // no longer tracked
		if got := r.check(t, messages.CheckAMCap{LeadID: "L4"}); got.Count != 0 {
			t.Errorf("NO_ANSWER counted after it was untracked: %+v", got)
		}

		sleepUntil(ny(1999, 12, 31, 19, 30)) // the new prune time, not 20:30
		if k := keys(t, b); len(k) != 1 || dayOfKey(k[0]) != "1999-12-31" {
			t.Fatalf("keys after a 19:30 prune = %q, want today's only", k)
		}
		if got := r.stats(t); got.PrunedDays != 1 || got.MaxPerDay != 2 {
			t.Fatalf("stats = %+v", got)
		}

		r.stop(t)
		time.Sleep(48 * time.Hour)
		synctest.Wait()
		if n := r.dead.Load(); n != 0 {
			t.Fatalf("%d dead letters after stop", n)
		}
	})
}
