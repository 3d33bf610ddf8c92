package queue

import (
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"orchestrator/config"
	"orchestrator/messages"
)

func TestDrainsAtMondayOpeningInFIFOBatchesEachAfterThePreviousIsAnswered(t *testing.T) {
	b := openBucket(t)
	synctest.Test(t, func(t *testing.T) {
		sleepUntil(saturday)
		r := start(t, testConfig(), b, &gate{script: holdAll})
		for i := range 120 {
			r.enqueue(request(i))
		}
		q := r.queue(t)
		if q.Total != 120 || !q.NextDrain.Equal(monday9) {
			t.Fatalf("after enqueue: total %d, next drain %v; want 120, %v", q.Total, q.NextDrain, monday9)
		}
		sleepUntil(monday9.Add(-time.Nanosecond)) // the whole weekend, safety ticks included
		if n := len(r.gate.requests()); n != 0 {
			t.Fatalf("%d requests submitted before Monday's opening", n)
		}
		sleepUntil(monday9)

		checkBatch := func(from, to int) {
			t.Helper()
			got := r.gate.requests()
			if len(got) != to {
				t.Fatalf("gate has %d requests, want %d", len(got), to)
			}
			for i := from; i < to; i++ {
				s := got[i]
				if s.req.Lead.Phone != phone(i) || !s.req.FromQueue || s.req.Ref != q.Items[i].ID || !s.at.Equal(monday9) {
					t.Fatalf("request %d = %+v at %v; want phone %s, FromQueue, ref %s at %v",
						i, s.req, s.at, phone(i), q.Items[i].ID, monday9)
				}
			}
		}
		checkBatch(0, 50)
		r.system.Root.Send(r.gatePID, answerHeld{n: 49, code: messages.DialDialled})
		synctest.Wait()
		checkBatch(0, 50) // one answer still missing: no second batch yet
		r.system.Root.Send(r.gatePID, answerHeld{n: 1, code: messages.DialDialled})
		synctest.Wait()
		checkBatch(50, 100)
		r.system.Root.Send(r.gatePID, answerHeld{n: 50, code: messages.DialDialled})
		synctest.Wait()
		checkBatch(100, 120)
		r.system.Root.Send(r.gatePID, answerHeld{n: 20, code: messages.DialDialled})
		synctest.Wait()

		if q := r.queue(t); q.Total != 0 || len(q.DeadLetters) != 0 {
			t.Fatalf("after the drain: %d items, %d dead letters", q.Total, len(q.DeadLetters))
		}
		m := r.metrics
		if s, d, items := testutil.ToFloat64(m.submitted), testutil.ToFloat64(m.results.WithLabelValues("dialled")),
			testutil.ToFloat64(m.items); s != 120 || d != 120 || items != 0 {
			t.Fatalf("metrics: submitted %v, dialled %v, items %v", s, d, items)
		}
		r.stop(t)
	})
}

func TestRefusalsCountTriesDeadLetterOrKeepTheItem(t *testing.T) {
	b := openBucket(t)
	synctest.Test(t, func(t *testing.T) {
		sleepUntil(monday10)
		script := map[messages.Phone]messages.DialResultCode{
			phone(1): messages.DialBusy, phone(2): messages.DialBlocked, phone(3): messages.DialClosed,
		}
		g := &gate{script: func(req messages.DialRequest) (messages.DialResultCode, string, bool) {
			code := script[req.Lead.Phone]
			if code == messages.DialBlocked {
				return code, "phone is on the do-not-call list", true
			}
			return code, "", true
		}}
		cfg := testConfig()
		cfg.MaxTries = 3
		r := start(t, cfg, b, g)
		r.enqueue(request(1), request(2), request(3))

		for try := 1; try <= cfg.MaxTries; try++ {
			got := r.ask(t, messages.ProcessQueue{}).(messages.QueueProcessed)
			synctest.Wait() // every answer applied
			q := r.queue(t)
			if try < cfg.MaxTries {
				want := []messages.Phone{phone(1), phone(3)}
				if diff := cmp.Diff(want, phones(q.Items)); diff != "" {
					t.Fatalf("try %d: items (-want +got):\n%s", try, diff)
				}
				if busy, closed := q.Items[0], q.Items[1]; busy.Tries != try || busy.LastReason != "busy" || closed.Tries != 0 {
					t.Fatalf("try %d: busy item %+v, closed item %+v", try, busy, closed)
				}
			}
			if try == 1 && got.Submitted != 3 {
				t.Fatalf("first ProcessQueue = %+v, want 3 submitted", got)
			}
		}
		q := r.queue(t)
		if diff := cmp.Diff([]messages.Phone{phone(3)}, phones(q.Items)); diff != "" {
			t.Fatalf("items left (-want +got):\n%s", diff)
		}
		if q.Items[0].Tries != 0 {
			t.Fatalf("closed answers counted tries: %+v", q.Items[0])
		}
		if diff := cmp.Diff([]messages.Phone{phone(1), phone(2)}, phones(q.DeadLetters)); diff != "" {
			t.Fatalf("dead letters, newest first (-want +got):\n%s", diff)
		}
		if busy, blocked := q.DeadLetters[0], q.DeadLetters[1]; busy.Tries != 3 || busy.LastReason != "busy" ||
			blocked.Tries != 0 || !strings.HasPrefix(blocked.LastReason, "blocked: ") {
			t.Fatalf("dead letters: busy %+v, blocked %+v", busy, blocked)
		}
		r.stop(t)
	})
}

func TestOverflowMovesTheOldestToTheDeadLetters(t *testing.T) {
	b := openBucket(t)
	synctest.Test(t, func(t *testing.T) {
		sleepUntil(saturday)
		cfg := testConfig()
		cfg.MaxItems = 3
		r := start(t, cfg, b, &gate{script: holdAll})
		r.enqueue(request(1), request(2), request(3), request(4), request(5))
		q := r.queue(t)
		if diff := cmp.Diff([]messages.Phone{phone(3), phone(4), phone(5)}, phones(q.Items)); diff != "" {
			t.Fatalf("items (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]messages.Phone{phone(2), phone(1)}, phones(q.DeadLetters)); diff != "" {
			t.Fatalf("dead letters (-want +got):\n%s", diff)
		}
		for _, d := range q.DeadLetters {
			if d.LastReason != "queue full" {
				t.Errorf("dead letter %s: reason %q", d.ID, d.LastReason)
			}
		}
		page := r.ask(t, messages.GetQueue{Limit: 1, Offset: 1}).(messages.QueueSnapshot)
		if page.Total != 3 || len(page.Items) != 1 || page.Items[0].Request.Lead.Phone != phone(4) {
			t.Fatalf("page limit 1 offset 1 = %+v", page)
		}
		if got := testutil.ToFloat64(r.metrics.deadLetters); got != 2 {
			t.Fatalf("dead-letter gauge = %v", got)
		}
		r.stop(t)
	})
}

func TestItemsAndDeadLettersSurviveARestartAndIDsAreNotReused(t *testing.T) {
	b := openBucket(t)
	synctest.Test(t, func(t *testing.T) {
		sleepUntil(saturday)
		cfg := testConfig()
		cfg.MaxItems = 4
		r := start(t, cfg, b, &gate{script: holdAll})
		for i := range 6 {
			r.enqueue(request(i))
		}
		before := r.queue(t)
		r.stop(t)

		r = start(t, cfg, b, &gate{script: holdAll})
		after := r.queue(t)
		if diff := cmp.Diff(before, after); diff != "" {
			t.Fatalf("after restart (-before +after):\n%s", diff)
		}
		if len(after.Items) != 4 || len(after.DeadLetters) != 2 {
			t.Fatalf("restored %d items, %d dead letters", len(after.Items), len(after.DeadLetters))
		}
		r.enqueue(request(9))
		q := r.queue(t)
		last := q.Items[len(q.Items)-1].ID
		for _, it := range append(before.Items, before.DeadLetters...) {
			if last <= it.ID {
				t.Fatalf("new id %s not after stored id %s", last, it.ID)
			}
		}
		r.stop(t)
	})
}

func TestAPhoneAlreadyQueuedIsRefreshedNotQueuedTwice(t *testing.T) {
	b := openBucket(t)
	synctest.Test(t, func(t *testing.T) {
		sleepUntil(saturday)
		r := start(t, testConfig(), b, &gate{script: holdAll})
		again := request(1)
		again.Lead.FirstName, again.Kind = "Ann", messages.DialCallBack
		r.enqueue(request(1), request(2), again)
		q := r.queue(t)
		if diff := cmp.Diff([]messages.Phone{phone(1), phone(2)}, phones(q.Items)); diff != "" {
			t.Fatalf("items (-want +got):\n%s", diff)
		}
		if got := q.Items[0].Request; got.Lead.FirstName != "Ann" || got.Kind != messages.DialCallBack {
			t.Fatalf("refreshed request = %+v, want the newest lead facts", got)
		}
		r.stop(t)
	})
}

func TestAnUnansweredRefIsReleasedAndRetriedOnTheSafetyTick(t *testing.T) {
	b := openBucket(t)
	synctest.Test(t, func(t *testing.T) {
		sleepUntil(monday10)
		r := start(t, testConfig(), b, &gate{script: holdAll})
		r.enqueue(request(1))
		if got := r.ask(t, messages.ProcessQueue{}).(messages.QueueProcessed); got.Submitted != 1 {
			t.Fatalf("ProcessQueue = %+v", got)
		}
		if got := r.ask(t, messages.ProcessQueue{}).(messages.QueueProcessed); got.Skipped != skippedInFlight {
			t.Fatalf("second ProcessQueue = %+v, want skipped %q", got, skippedInFlight)
		}
		sleepUntil(monday10.Add(testConfig().Interval))
		got := r.gate.requests()
		if len(got) != 2 || got[0].req.Ref != got[1].req.Ref {
			t.Fatalf("gate requests = %+v, want the same ref twice", got)
		}
		// Both answers arrive: the first removes the item, the second is ignored.
		r.system.Root.Send(r.gatePID, answerHeld{n: 2, code: messages.DialDialled})
		synctest.Wait()
		if q := r.queue(t); q.Total != 0 || len(q.DeadLetters) != 0 {
			t.Fatalf("after the answers: %+v", q)
		}
		r.stop(t)
	})
}

func TestProcessQueueSaysWhyNothingWasSubmitted(t *testing.T) {
	b := openBucket(t)
	synctest.Test(t, func(t *testing.T) {
		sleepUntil(saturday)
		r := start(t, testConfig(), b, &gate{script: holdAll})
		r.enqueue(request(1))
		if got := r.ask(t, messages.ProcessQueue{}).(messages.QueueProcessed); got.Skipped != skippedClosed {
			t.Fatalf("on Saturday: %+v", got)
		}
		if got := r.ask(t, messages.ClearQueue{}).(messages.QueueCleared); got.Removed != 1 {
			t.Fatalf("ClearQueue = %+v", got)
		}
		sleepUntil(monday10)
		if got := r.ask(t, messages.ProcessQueue{}).(messages.QueueProcessed); got.Skipped != skippedEmpty {
			t.Fatalf("empty: %+v", got)
		}
		r.system.Root.Send(r.pid, messages.DialResult{Ref: "999999", Code: messages.DialDialled})
		if q := r.queue(t); q.Total != 0 {
			t.Fatalf("after an unknown ref: %+v", q)
		}
		r.stop(t)
	})
}

func TestClearKeepsTheDeadLetters(t *testing.T) {
	b := openBucket(t)
	synctest.Test(t, func(t *testing.T) {
		sleepUntil(saturday)
		cfg := testConfig()
		cfg.MaxItems, cfg.MaxDeadLetters = 2, 2
		r := start(t, cfg, b, &gate{script: holdAll})
		for i := range 6 { // 4 overflow, only the 2 newest dead letters kept
			r.enqueue(request(i))
		}
		if got := r.ask(t, messages.ClearQueue{}).(messages.QueueCleared); got.Removed != 2 {
			t.Fatalf("ClearQueue = %+v", got)
		}
		q := r.queue(t)
		if diff := cmp.Diff([]messages.Phone{phone(3), phone(2)}, phones(q.DeadLetters)); q.Total != 0 || diff != "" {
			t.Fatalf("total %d, dead letters (-want +got):\n%s", q.Total, diff)
		}
		r.stop(t)
	})
}

func TestConfigChangedRearmsTheSafetyTickAndResizesBatches(t *testing.T) {
	b := openBucket(t)
	synctest.Test(t, func(t *testing.T) {
		sleepUntil(monday10)
		r := start(t, testConfig(), b, &gate{script: holdAll})
		cfg := config.Default()
		cfg.Queue.Interval, cfg.Queue.Batch = 10*time.Minute, 2
		r.system.Root.Send(r.pid, messages.ConfigChanged{Config: cfg})
		for i := range 5 {
			r.enqueue(request(i))
		}
		if q := r.queue(t); !q.NextDrain.Equal(monday10.Add(10 * time.Minute)) {
			t.Fatalf("next drain %v, want %v", q.NextDrain, monday10.Add(10*time.Minute))
		}
		sleepUntil(monday10.Add(10 * time.Minute))
		if got := r.gate.requests(); len(got) != 2 {
			t.Fatalf("%d requests after the first 10-minute tick, want a batch of 2", len(got))
		}
		r.stop(t)
	})
}

func TestStoppedQueueLeavesNoTimerAndNoDeadLetter(t *testing.T) {
	b := openBucket(t)
	synctest.Test(t, func(t *testing.T) {
		sleepUntil(saturday)
		r := start(t, testConfig(), b, &gate{script: func(messages.DialRequest) (messages.DialResultCode, string, bool) {
			return messages.DialDialled, "", true
		}})
		r.enqueue(request(1), request(2), request(3))
		sleepUntil(monday9) // drained at the opening
		if q := r.queue(t); q.Total != 0 {
			t.Fatalf("not drained at the opening: %+v", q)
		}
		r.enqueue(request(4))
		r.stop(t)
		time.Sleep(48 * time.Hour)
		synctest.Wait()
		if n := r.dead.Load(); n != 0 {
			t.Fatalf("%d dead letters after stop", n)
		}
	})
}
