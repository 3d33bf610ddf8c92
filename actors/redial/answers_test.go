package redial

import (
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"orchestrator/messages"
)

func TestGateAnswersReschedule(t *testing.T) {
	b := openBucket(t)
	synctest.Test(t, func(t *testing.T) {
		sleepUntil(monday10)
		due := monday10.Add(2 * time.Minute)
		tue9 := ny(2026, 3, 3, 9, 0)
		answers := []struct {
			res        messages.DialResult
			wantDue    time.Time
			wantStatus string
			attempts   int
		}{
			{messages.DialResult{Code: messages.DialBusy}, due.Add(busyRetry), messages.RedialPending, 0},
			{messages.DialResult{Code: messages.DialBusy, RetryAt: due.Add(time.Minute)}, due.Add(time.Minute), messages.RedialPending, 0},
			{messages.DialResult{Code: messages.DialClosed}, tue9, messages.RedialPending, 0},
			{messages.DialResult{Code: messages.DialQueuedOffHours, RetryAt: due.Add(time.Hour)}, due.Add(time.Hour), messages.RedialPending, 0},
			{messages.DialResult{Code: messages.DialDailyCap}, tue9, messages.RedialDailyCap, 0},
			{messages.DialResult{Code: messages.DialAMCap}, tue9, messages.RedialPending, 0},
			{messages.DialResult{Code: messages.DialDuplicate, RetryAt: due.Add(time.Hour)}, due.Add(time.Hour), messages.RedialPending, 0},
			{messages.DialResult{Code: messages.DialBlocked}, due, messages.RedialDone, 0},
			{messages.DialResult{Code: messages.DialFailed}, due.Add(2 * time.Minute), messages.RedialPending, 1},
			{messages.DialResult{Code: messages.DialDialled}, due.Add(dialledGuard), messages.RedialPending, 0},
		}
		phone := func(i int) messages.Phone { return messages.Phone(fmt.Sprintf("+1555555%04d", i)) }
		script := map[messages.Phone]messages.DialResult{}
		for i, a := range answers {
			script[phone(i)] = a.res
		}
		g := &gate{script: func(m messages.DialRequest) messages.DialResult { return script[m.Lead.Phone] }}
		r := start(t, testConfig(), b, g)
		for i := range answers {
			r.lead(phone(i), fmt.Sprint("L", i))
		}
		sleepUntil(due.Add(-time.Nanosecond))
		if n := len(g.seen()); n != 0 {
			t.Fatalf("%d dials before the first gap: the gate dials new leads itself", n)
		}
		sleepUntil(due)
		if n := len(g.seen()); n != len(answers) {
			t.Fatalf("%d dials at the due time, want %d", n, len(answers))
		}
		for i, a := range answers {
			rec := r.record(t, phone(i))
			if rec.Status != a.wantStatus || rec.Attempts != a.attempts ||
				(a.wantStatus != messages.RedialDone && !rec.NextDue.Equal(a.wantDue)) {
				t.Errorf("%s: status %q next due %v attempts %d; want %q %v %d", a.res.Code, rec.Status,
					rec.NextDue.In(newYork), rec.Attempts, a.wantStatus, a.wantDue.In(newYork), a.attempts)
			}
		}
		r.stop(t)
	})
}

func TestAdmin(t *testing.T) {
	b := openBucket(t)
	synctest.Test(t, func(t *testing.T) {
		sleepUntil(monday10)
		g := &gate{}
		r := start(t, testConfig(), b, g)
		r.lead(phoneA, "LA")
		r.lead(phoneB, "LB")
		st := r.ask(t, messages.GetRedialStatus{}).(messages.RedialStatus)
		if !st.Enabled || st.Counts[messages.RedialPending] != 2 || st.DueNow != 0 || !st.NextDue.Equal(monday10.Add(2*time.Minute)) {
			t.Fatalf("status %+v", st)
		}
		ch := r.ask(t, messages.PauseRedial{Phone: phoneA}).(messages.RedialChanged)
		if !ch.Found || ch.Record.Status != messages.RedialPaused {
			t.Fatalf("pause: %+v", ch)
		}
		if ch := r.ask(t, messages.RemoveRedial{Phone: "+19999999999"}).(messages.RedialChanged); ch.Found {
			t.Fatalf("remove of an unknown phone found it")
		}
		r.ask(t, messages.EnableRedial{Enabled: false})
		sleepUntil(monday10.Add(time.Hour))
		if n := len(g.seen()); n != 0 {
			t.Fatalf("%d dials while disabled", n)
		}
		ready := r.ask(t, messages.GetRedialRecords{Ready: true}).(messages.RedialRecords)
		if ready.Total != 1 || ready.Records[0].Phone != phoneB {
			t.Fatalf("ready records %+v", ready)
		}
		st = r.ask(t, messages.EnableRedial{Enabled: true}).(messages.RedialStatus)
		synctest.Wait()
		if got := g.dialsOf(phoneB); len(got) != 1 {
			t.Fatalf("B dialled %d times once enabled", len(got))
		}
		if got := g.dialsOf(phoneA); len(got) != 0 {
			t.Fatalf("paused A dialled %d times", len(got))
		}
		ch = r.ask(t, messages.ResumeRedial{Phone: phoneA}).(messages.RedialChanged)
		now := monday10.Add(time.Hour)
		if ch.Record.Status != messages.RedialPending || !ch.Record.NextDue.Equal(now.Add(2*time.Minute)) {
			t.Fatalf("resume: %+v", ch.Record)
		}
		if ch := r.ask(t, messages.RemoveRedial{Phone: phoneA}).(messages.RedialChanged); !ch.Found {
			t.Fatalf("remove A not found")
		}
		sleepUntil(now.Add(10 * time.Minute))
		if got := g.dialsOf(phoneA); len(got) != 0 {
			t.Fatalf("removed A dialled %d times", len(got))
		}
		page := r.ask(t, messages.GetRedialRecords{}).(messages.RedialRecords)
		if page.Total != 1 || page.Records[0].Phone != phoneB {
			t.Fatalf("records after remove: %+v", page)
		}
		r.stop(t)
	})
}

func TestRepeatedCompletionCountsOnceAndReopenAfter(t *testing.T) {
	b := openBucket(t)
	synctest.Test(t, func(t *testing.T) {
		sleepUntil(monday10)
		cfg := testConfig()
		cfg.Enabled = false // only the bookkeeping here
		r := start(t, cfg, b, &gate{})
		done := messages.CallCompleted{CallID: "c1", Phone: phoneA, LeadID: "LA", Outcome: messages.OutcomeSale, CompletedAt: time.Now()}
		r.send(done)
		r.send(done)
		r.send(messages.CallCompleted{CallID: "in", Phone: phoneA, Outcome: messages.OutcomeNoAnswer, Inbound: true})
		rec := r.record(t, phoneA)
		if rec.Attempts != 1 || len(rec.Calls) != 1 || rec.Status != messages.RedialDone || rec.Reason != "outcome SALE" ||
			rec.Lead.LeadID != "LA" {
			t.Fatalf("after a repeated completion: %+v", rec)
		}
		sleepUntil(monday10.Add(cfg.ReopenAfter - time.Hour))
		r.lead(phoneA, "LA2")
		if rec := r.record(t, phoneA); rec.Status != messages.RedialDone || rec.Lead.LeadID != "LA2" {
			t.Fatalf("lead within reopen_after: %+v", rec)
		}
		sleepUntil(monday10.Add(cfg.ReopenAfter + time.Hour))
		r.lead(phoneA, "LA3")
		rec = r.record(t, phoneA)
		if rec.Status != messages.RedialPending || rec.Attempts != 0 || rec.LastOutcome != "" || rec.Lead.LeadID != "LA3" {
			t.Fatalf("lead after reopen_after: %+v", rec)
		}
		r.send(done) // an old completion is still not counted again
		if rec := r.record(t, phoneA); rec.Attempts != 0 {
			t.Fatalf("old completion counted after reopen: %+v", rec)
		}
		r.stop(t)
	})
}

func TestEvictsOldestCompletedOverMaxRecords(t *testing.T) {
	b := openBucket(t)
	synctest.Test(t, func(t *testing.T) {
		sleepUntil(monday10)
		cfg := testConfig()
		cfg.MaxRecords = 3
		r := start(t, cfg, b, &gate{})
		for i := range 3 { // three completed, one minute apart
			p := messages.Phone(fmt.Sprintf("+1555555%04d", i))
			r.send(messages.CallCompleted{CallID: fmt.Sprint("c", i), Phone: p, Outcome: messages.OutcomeSale, CompletedAt: time.Now()})
			sleepUntil(time.Now().Add(time.Minute))
		}
		r.lead("+15555559001", "LA")
		r.lead("+15555559002", "LB")
		var got []messages.Phone
		for _, rec := range r.records(t) {
			got = append(got, rec.Phone)
		}
		want := map[messages.Phone]bool{"+15555550002": true, "+15555559001": true, "+15555559002": true}
		if len(got) != 3 || !want[got[0]] || !want[got[1]] || !want[got[2]] {
			t.Fatalf("records kept %v, want the newest completed and both leads", got)
		}
		r.restart(t) // the evicted are gone from the store too
		if n := len(r.records(t)); n != 3 {
			t.Fatalf("%d records after restart", n)
		}
		r.stop(t)
	})
}
