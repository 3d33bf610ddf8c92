package redial

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"orchestrator/actors/businesshours"
	"orchestrator/config"
	"orchestrator/messages"
)

const (
	phoneA messages.Phone = "+15555550001"
	phoneB messages.Phone = "+15555550002"
)

// A Monday: the 2026 spring-forward day (Sunday 03-08) falls in the
// simulated 20 days.
var monday10 = ny(2026, 3, 2, 10, 0)

// expectDials derives the cadence's dials from the policy rules, for a lead
// created at created whose first call (the gate's own) completed at first;
// each dial completes 30 s later.
func expectDials(cfg config.Redial, h *businesshours.Hours, created, first, end time.Time) []time.Time {
	attempts, byDay, now := 1, map[string]int{h.Day(first): 1}, first
	var out []time.Time
	for attempts < cfg.MaxAttempts && now.Sub(created) <= cfg.MaxAge {
		var due time.Time
		if byDay[h.Day(now)] >= DailyCap(h.Day(created), h.Day(now), cfg) {
			due = h.NextDayOpening(now)
		} else {
			due = h.NextOpening(now.Add(Gap(attempts, cfg)))
		}
		if due.Sub(created) > cfg.MaxAge || due.After(end) {
			break
		}
		out = append(out, due)
		now = due.Add(30 * time.Second)
		attempts++
		byDay[h.Day(now)]++
	}
	return out
}

// checkCadence asserts the rules on the dials actually made, independent of
// how they were derived: inside hours, within each day's cap (counting the
// gate's first call), within the lifetime cap and max age.
func checkCadence(t *testing.T, cfg config.Redial, h *businesshours.Hours, created time.Time, dials []time.Time) {
	t.Helper()
	perDay := map[string]int{h.Day(created): 1}
	for i, at := range dials {
		if !h.IsOpen(at) {
			t.Errorf("dial %d at %v: outside business hours", i, at.In(newYork))
		}
		if at.Sub(created) > cfg.MaxAge {
			t.Errorf("dial %d at %v: after max age", i, at.In(newYork))
		}
		perDay[h.Day(at)]++
		if c := DailyCap(h.Day(created), h.Day(at), cfg); perDay[h.Day(at)] > c {
			t.Errorf("dial %d at %v: %d attempts that day, cap %d", i, at.In(newYork), perDay[h.Day(at)], c)
		}
	}
	if n := 1 + len(dials); n > cfg.MaxAttempts {
		t.Errorf("%d attempts, lifetime cap %d", n, cfg.MaxAttempts)
	}
}

func nyTimes(ts []time.Time) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.In(newYork).Format("Mon 01-02 15:04:05")
	}
	return out
}

// transferredFromWednesday: B's calls are NO_ANSWER until Wednesday, then TRANSFERRED.
func transferredFromWednesday(p messages.Phone, at time.Time) messages.Outcome {
	if p == phoneB && !at.Before(ny(2026, 3, 4, 0, 0)) {
		return messages.OutcomeTransferred
	}
	return messages.OutcomeNoAnswer
}

func TestCadenceOverTwentyDays(t *testing.T) {
	lifetime := testConfig()
	lifetime.MaxAttempts = 20
	for _, tc := range []struct {
		name       string
		cfg        config.Redial
		restartAt  time.Time // zero: none; a moment with no call in progress
		wantReason string
	}{
		{"defaults: ends at max age", testConfig(), time.Time{}, ReasonMaxAge},
		{"ends at the lifetime cap", lifetime, time.Time{}, ReasonLifetimeCap},
		{"restart on a quiet evening", testConfig(), ny(2026, 3, 3, 20, 0), ReasonMaxAge},
		{"restart in business hours between dials", testConfig(), ny(2026, 3, 3, 12, 0), ReasonMaxAge},
		{"restart at a due time", testConfig(), ny(2026, 3, 4, 9, 0).Add(-time.Nanosecond), ReasonMaxAge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := openBucket(t)
			synctest.Test(t, func(t *testing.T) {
				sleepUntil(monday10)
				g := &gate{outcome: transferredFromWednesday}
				r := start(t, tc.cfg, b, g)
				r.lead(phoneA, "LA")
				r.lead(phoneB, "LB")
				sleepUntil(monday10.Add(30 * time.Second))
				first := time.Now()
				r.send(firstCompletion(phoneA, "LA", messages.OutcomeNoAnswer))
				r.send(firstCompletion(phoneB, "LB", messages.OutcomeNoAnswer))
				synctest.Wait()
				if !tc.restartAt.IsZero() {
					sleepUntil(tc.restartAt)
					before := r.records(t)
					r.restart(t)
					synctest.Wait()
					if diff := cmp.Diff(before, r.records(t)); diff != "" {
						t.Fatalf("records after restart (-before +after):\n%s", diff)
					}
				}
				end := monday10.AddDate(0, 0, 20)
				sleepUntil(end)

				h := r.deps.Schedule.Hours()
				want := expectDials(tc.cfg, h, monday10, first, end)
				t.Logf("%d dials of A: %v", len(want), nyTimes(want))
				gotA := g.dialsOf(phoneA)
				if diff := cmp.Diff(nyTimes(want), nyTimes(gotA)); diff != "" {
					t.Errorf("dials of A (-want +got):\n%s", diff)
				}
				checkCadence(t, tc.cfg, h, monday10, gotA)
				if recA := r.record(t, phoneA); recA.Status != messages.RedialDone || recA.Reason != tc.wantReason ||
					recA.Attempts != 1+len(want) {
					t.Errorf("A: status %q reason %q attempts %d; want completed, %q, %d", recA.Status, recA.Reason,
						recA.Attempts, tc.wantReason, 1+len(want))
				}

				var wantB []time.Time
				for _, at := range want {
					wantB = append(wantB, at)
					if transferredFromWednesday(phoneB, at) == messages.OutcomeTransferred {
						break
					}
				}
				if diff := cmp.Diff(nyTimes(wantB), nyTimes(g.dialsOf(phoneB))); diff != "" {
					t.Errorf("dials of B (-want +got):\n%s", diff)
				}
				if recB := r.record(t, phoneB); recB.Status != messages.RedialDone || recB.Reason != "outcome TRANSFERRED" {
					t.Errorf("B: status %q reason %q; want completed after its transfer", recB.Status, recB.Reason)
				}
				if got := testutil.ToFloat64(r.deps.Metrics.dials.WithLabelValues("dialled")); int(got) != len(want)+len(wantB) {
					t.Errorf("dialled metric %v, want %d", got, len(want)+len(wantB))
				}
				if got := testutil.ToFloat64(r.deps.Metrics.leads.WithLabelValues(messages.RedialDone)); got != 2 {
					t.Errorf("completed gauge %v, want 2", got)
				}

				r.stop(t)
				sleepUntil(end.Add(24 * time.Hour))
				if n := r.dead.Load(); n != 0 {
					t.Errorf("%d dead letters", n)
				}
			})
		})
	}
}
