package calls

import (
	"errors"
	"sync"
	"testing"
	"time"

	"orchestrator/messages"
)

// waitCompleted waits for the consumer to receive a CallCompleted.
func (r *rig) waitCompleted() messages.CallCompleted {
	r.t.Helper()
	for {
		select {
		case m := <-r.consumer.got:
			if cc, ok := m.(messages.CallCompleted); ok {
				return cc
			}
		case <-time.After(10 * time.Second):
			r.t.Fatal("no CallCompleted published")
		}
	}
}

func TestGateAnswersEachRefusalInOrder(t *testing.T) {
	const ph = "+15555550123"
	newLead := messages.DialRequest{Kind: messages.DialNewLead, Lead: lead("L1", ph), Ref: "r1"}
	tests := []struct {
		name    string
		days    []string // business days; nil = every day, all day
		anytime bool
		setup   func(r *rig)
		req     messages.DialRequest
		want    messages.DialResultCode
		check   func(t *testing.T, r *rig, res messages.DialResult)
	}{
		{name: "closed: a new lead is queued", days: []string{}, req: newLead, want: messages.DialQueuedOffHours,
			check: func(t *testing.T, r *rig, res messages.DialResult) {
				m := <-r.queue.got
				if q, ok := m.(messages.EnqueueDial); !ok || q.Request.Lead.LeadID != "L1" {
					t.Fatalf("queue got %#v", m)
				}
			}},
		{name: "closed: the queue's own request is not queued again", days: []string{},
			req: messages.DialRequest{Kind: messages.DialNewLead, Lead: lead("L1", ph), FromQueue: true}, want: messages.DialClosed},
		{name: "closed: a call-back dials when callbacks are allowed anytime", days: []string{}, anytime: true,
			req: messages.DialRequest{Kind: messages.DialCallBack, Lead: lead("L1", ph)}, want: messages.DialDialled},
		{name: "closed: a call-back is queued otherwise", days: []string{},
			req: messages.DialRequest{Kind: messages.DialCallBack, Lead: lead("L1", ph)}, want: messages.DialQueuedOffHours},
		{name: "blocked beats busy", setup: func(r *rig) {
			r.dial(messages.DialRequest{Kind: messages.DialRedial, Lead: lead("L0", ph)})
			r.block.blocked[ph] = true
		}, req: newLead, want: messages.DialBlocked},
		{name: "blocked lead", setup: func(r *rig) { r.block.blocked["L1"] = true }, req: newLead, want: messages.DialBlocked},
		{name: "in flight", setup: func(r *rig) { r.dial(messages.DialRequest{Kind: messages.DialRedial, Lead: lead("L0", ph)}) },
			req: newLead, want: messages.DialBusy, check: func(t *testing.T, r *rig, res messages.DialResult) {
				if res.RetryAt.Before(time.Now().Add(4 * time.Minute)) {
					t.Errorf("busy RetryAt %v, want about calls.busy_retry from now", res.RetryAt)
				}
			}},
		{name: "post-transfer hold", setup: func(r *rig) {
			d := r.dial(messages.DialRequest{Kind: messages.DialRedial, Lead: lead("L0", ph)})
			r.post(messages.SourceCompletion, completionBody(d.CallID, ph, "completed", "human", true))
			r.waitCompleted()
		}, req: messages.DialRequest{Kind: messages.DialRedial, Lead: lead("L1", ph)}, want: messages.DialBusy,
			check: func(t *testing.T, r *rig, res messages.DialResult) {
				if res.Reason != "post-transfer hold" || res.RetryAt.Before(time.Now().Add(29*time.Minute)) {
					t.Errorf("got %+v, want the hold until ~30 min from now", res)
				}
			}},
		{name: "daily cap", setup: func(r *rig) {
			for i := range 3 {
				d := r.dial(messages.DialRequest{Kind: messages.DialRedial, Lead: lead("L0", ph)})
				r.post(messages.SourceCompletion, completionBody(d.CallID, ph, "no-answer", "no-answer", false))
				if cc := r.waitCompleted(); cc.CallID != d.CallID {
					t.Fatalf("completion %d: %+v", i, cc)
				}
			}
		}, req: messages.DialRequest{Kind: messages.DialRedial, Lead: lead("L0", ph)}, want: messages.DialDailyCap},
		{name: "duplicate new lead within the window", setup: func(r *rig) {
			d := r.dial(newLead)
			r.post(messages.SourceCompletion, completionBody(d.CallID, ph, "no-answer", "no-answer", false))
			r.waitCompleted()
		}, req: newLead, want: messages.DialDuplicate},
		{name: "a redial is exempt from the duplicate window", setup: func(r *rig) {
			d := r.dial(newLead)
			r.post(messages.SourceCompletion, completionBody(d.CallID, ph, "no-answer", "no-answer", false))
			r.waitCompleted()
		}, req: messages.DialRequest{Kind: messages.DialRedial, Lead: lead("L1", ph)}, want: messages.DialDialled},
		{name: "answering-machine cap", setup: func(r *rig) { r.am.capped["L1"] = true }, req: newLead, want: messages.DialAMCap},
		{name: "provider failure is an attempt", setup: func(r *rig) { r.dialer.fail = errors.New("provider says no") },
			req: newLead, want: messages.DialFailed, check: func(t *testing.T, r *rig, res messages.DialResult) {
				// The phone is free again, and the attempt counted.
				r.dialer.fail = nil
				if got := r.dial(messages.DialRequest{Kind: messages.DialRedial, Lead: lead("L1", ph)}); got.Code != messages.DialDialled {
					t.Fatalf("after a failure: %+v", got)
				}
			}},
		{name: "dialled", req: newLead, want: messages.DialDialled, check: func(t *testing.T, r *rig, res messages.DialResult) {
			if res.CallID == "" || res.Ref != "r1" || r.dialer.calls[0].From != "+15555550188" || r.dialer.calls[0].Lead.LeadID != "L1" {
				t.Fatalf("got %+v, provider saw %+v", res, r.dialer.calls)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			days := tt.days
			if days == nil {
				days = everyDay
			}
			r := newRig(t, t.TempDir(), hoursOf(t, days, tt.anytime))
			defer r.close()
			if tt.setup != nil {
				tt.setup(r)
			}
			res := r.dial(tt.req)
			if res.Code != tt.want {
				t.Fatalf("got %s (%s), want %s", res.Code, res.Reason, tt.want)
			}
			if tt.check != nil {
				tt.check(t, r, res)
			}
		})
	}
}

func TestFiftyConcurrentRequestsForOnePhoneDialOnce(t *testing.T) {
	r := newRig(t, t.TempDir(), hoursOf(t, everyDay, true))
	defer r.close()
	kinds := []messages.DialKind{messages.DialNewLead, messages.DialCallBack, messages.DialRedial, messages.DialSMSCallback, messages.DialAdmin}
	results := make(chan messages.DialResult, 50)
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results <- r.dial(messages.DialRequest{Kind: kinds[i%len(kinds)], Lead: lead("L1", "+15555550123")})
		}()
	}
	wg.Wait()
	close(results)
	count := map[messages.DialResultCode]int{}
	for res := range results {
		count[res.Code]++
	}
	if count[messages.DialDialled] != 1 || r.dialer.count() != 1 {
		t.Fatalf("answers %v, provider asked %d times; want exactly one dial", count, r.dialer.count())
	}
}

func TestDailyCapHoldsUnderConcurrency(t *testing.T) {
	const ph = "+15555550123"
	r := newRig(t, t.TempDir(), hoursOf(t, everyDay, true))
	defer r.close()
	for round := range 6 { // twice the cap of 3
		results := make(chan messages.DialResult, 20)
		var wg sync.WaitGroup
		for range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results <- r.dial(messages.DialRequest{Kind: messages.DialRedial, Lead: lead("L1", ph)})
			}()
		}
		wg.Wait()
		close(results)
		for res := range results {
			if res.Code == messages.DialDialled {
				r.post(messages.SourceCompletion, completionBody(res.CallID, ph, "no-answer", "no-answer", false))
				r.waitCompleted()
			}
		}
		if got := r.dialer.count(); got > 3 {
			t.Fatalf("round %d: %d dials today, over the cap of 3", round, got)
		}
	}
	if got := r.dialer.count(); got != 3 {
		t.Fatalf("%d dials, want exactly the cap of 3", got)
	}
}
