package crm

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"orchestrator/actors/convoso"
	"orchestrator/config"
	"orchestrator/messages"
)

func TestCallCompletedUpdatesItsLeadWithTheMappedStatus(t *testing.T) {
	table := []struct {
		outcome messages.Outcome
		want    string
	}{
		{messages.OutcomeTransferred, "ACA"},
		{messages.OutcomeVoicemail, "A"},
		{messages.OutcomeCallback, "CB"},
		{messages.OutcomeSale, "SALE"},
		{messages.OutcomeNotInterested, "NI"},
		{messages.OutcomeNoAnswer, "NA"},
		{messages.OutcomeBusy, "B"},
		{messages.OutcomeFailed, "N"},
		{messages.OutcomeConfused, "CD"},
		{messages.OutcomeDNC, "DNC"},
	}
	s := openStore(t)
	byLead := map[string][]convoso.LeadUpdate{}
	synctest.Test(t, func(t *testing.T) {
		rec, crm := newRecorder(nil)
		r := start(t, Deps{Bucket: s.Bucket("crm"), Client: crm})
		defer r.stop(t)
		for _, row := range table {
			r.system.Root.Send(r.pid, messages.CallCompleted{CallID: "c-" + string(row.outcome), LeadID: "L-" + string(row.outcome),
				ListID: "77", Phone: "+15555550123", Outcome: row.outcome, DurationS: 42.4, AnsweredBy: "human",
				Summary: "summary " + string(row.outcome), Transcript: "user: hello " + string(row.outcome)})
		}
		// Neither of these may reach the CRM: an inbound call without a lead,
		// and an outcome with no CRM status.
		r.system.Root.Send(r.pid, messages.CallCompleted{CallID: "in-1", Inbound: true, Outcome: messages.OutcomeConfused})
		r.system.Root.Send(r.pid, messages.CallCompleted{CallID: "odd", LeadID: "L-odd", Outcome: "MYSTERY"})
		synctest.Wait()

		for _, c := range rec.all() {
			byLead[c.u.LeadID] = append(byLead[c.u.LeadID], c.u)
		}
		if got := r.count(resultDelivered); got != float64(len(table)) {
			t.Errorf("delivered = %v, want %d", got, len(table))
		}
		if got := r.count(resultInvalid); got != 1 {
			t.Errorf("invalid = %v, want 1 (the unknown outcome)", got)
		}
		if ob := r.outbox(t, false); ob.Pending != 0 || ob.Parked != 0 {
			t.Errorf("outbox after delivery = %+v", ob)
		}
	})
	if len(byLead) != len(table) {
		t.Errorf("updated leads %v, want exactly the %d with a status", len(byLead), len(table))
	}
	for _, row := range table { // t.Run cannot be called inside the bubble
		t.Run(string(row.outcome), func(t *testing.T) {
			got := byLead["L-"+string(row.outcome)]
			want := convoso.LeadUpdate{LeadID: "L-" + string(row.outcome), ListID: "77", Status: row.want,
				Summary: "summary " + string(row.outcome), Transcript: "user: hello " + string(row.outcome),
				Fields: map[string]string{"call_duration": "42", "answered_by": "human"}}
			if len(got) != 1 {
				t.Fatalf("%d updates, want 1", len(got))
			}
			if diff := cmp.Diff(want, got[0]); diff != "" {
				t.Errorf("update (-want +got):\n%s", diff)
			}
		})
	}
}

func TestTheSameCompletionTwiceIsDeliveredOnce(t *testing.T) {
	s := openStore(t)
	synctest.Test(t, func(t *testing.T) {
		rec, crm := newRecorder(nil)
		r := start(t, Deps{Bucket: s.Bucket("crm"), Client: crm})
		defer r.stop(t)
		done := messages.CallCompleted{CallID: "c1", LeadID: "900", Outcome: messages.OutcomeVoicemail}
		r.system.Root.Send(r.pid, done)
		r.system.Root.Send(r.pid, done) // while queued or in flight
		synctest.Wait()
		deliveredAt := time.Now().UTC()
		time.Sleep(time.Hour)
		r.system.Root.Send(r.pid, done) // after delivery
		synctest.Wait()
		if n := len(rec.all()); n != 1 {
			t.Fatalf("%d deliveries, want 1", n)
		}
		if got := r.count(resultDuplicate); got != 2 {
			t.Errorf("duplicate = %v, want 2", got)
		}
		// A requester sending a delivered key is told it is done.
		item := r.ask(t, messages.CRMUpdate{Key: "call:c1", LeadID: "900", Status: "A"}).(messages.CRMOutboxItem)
		if !item.CreatedAt.Equal(deliveredAt) || !item.NextTry.IsZero() || item.Parked {
			t.Errorf("ack for a delivered key = %+v, want CreatedAt %v and no NextTry", item, deliveredAt)
		}
	})
}

func TestRetriesWithGrowingBackoffThenDelivers(t *testing.T) {
	s := openStore(t)
	synctest.Test(t, func(t *testing.T) {
		rec, crm := newRecorder(func(_ context.Context, n int, _ convoso.LeadUpdate) error {
			if n <= 3 {
				return fmt.Errorf("convoso: update lead: %w", &convoso.Error{Status: 502, Err: errors.New("bad gateway")})
			}
			return nil
		})
		r := start(t, Deps{Bucket: s.Bucket("crm"), Client: crm})
		defer r.stop(t)
		t0 := time.Now().UTC()
		ack := r.ask(t, update("sms:1", "900")).(messages.CRMOutboxItem)
		if !ack.CreatedAt.Equal(t0) || ack.Update.Key != "sms:1" || ack.Tries != 0 {
			t.Fatalf("ack = %+v", ack)
		}
		synctest.Wait()
		ob := r.outbox(t, false)
		if ob.Pending != 1 || len(ob.Items) != 1 {
			t.Fatalf("after the first failure: %+v", ob)
		}
		if it := ob.Items[0]; it.Tries != 1 || !it.NextTry.Equal(t0.Add(30*time.Second)) || !strings.Contains(it.LastError, "bad gateway") {
			t.Fatalf("after the first failure: %+v", it)
		}

		time.Sleep(time.Hour)
		synctest.Wait()
		calls := rec.all()
		if len(calls) != 4 {
			t.Fatalf("%d tries, want 4", len(calls))
		}
		bounds := []struct{ lo, hi time.Duration }{ // supervision.Backoff(tries, 30s, 30m, [0,1))
			{30 * time.Second, 30 * time.Second},
			{30 * time.Second, 60 * time.Second},
			{60 * time.Second, 120 * time.Second},
		}
		var prev time.Duration
		for i, b := range bounds {
			gap := calls[i+1].at.Sub(calls[i].at)
			if gap < b.lo || gap > b.hi || gap < prev {
				t.Errorf("gap %d = %v, want within [%v, %v] and not shorter than %v", i+1, gap, b.lo, b.hi, prev)
			}
			prev = gap
		}
		if ob := r.outbox(t, false); ob.Pending != 0 {
			t.Errorf("still pending: %+v", ob)
		}
		if r.count(resultRetried) != 3 || r.count(resultDelivered) != 1 {
			t.Errorf("retried %v delivered %v, want 3 and 1", r.count(resultRetried), r.count(resultDelivered))
		}
	})
}

func TestAnUpdateTheCRMAlwaysRefusesIsParkedForAnOperator(t *testing.T) {
	s := openStore(t)
	synctest.Test(t, func(t *testing.T) {
		rec, crm := newRecorder(func(context.Context, int, convoso.LeadUpdate) error {
			return fmt.Errorf("convoso: update lead: %w",
				&convoso.Error{Status: 200, Err: fmt.Errorf("%w: lead is locked", convoso.ErrRejected)})
		})
		cfg := testCfg()
		cfg.MaxTries = 3
		r := start(t, Deps{Bucket: s.Bucket("crm"), Client: crm, Cfg: cfg})
		defer r.stop(t)
		r.ask(t, update("sms:1", "900"))
		time.Sleep(24 * time.Hour)
		synctest.Wait()
		if n := len(rec.all()); n != 3 {
			t.Fatalf("%d tries, want max_tries = 3", n)
		}
		parked := r.outbox(t, true)
		if parked.Parked != 1 || parked.Pending != 0 || len(parked.Items) != 1 {
			t.Fatalf("parked list = %+v", parked)
		}
		it := parked.Items[0]
		if !it.Parked || it.Tries != 3 || !strings.Contains(it.LastError, "lead is locked") || it.Update.LeadID != "900" {
			t.Errorf("parked item = %+v", it)
		}
		if pending := r.outbox(t, false); len(pending.Items) != 0 {
			t.Errorf("pending list = %+v", pending)
		}
		if got := testutil.ToFloat64(r.metrics.parked); got != 1 {
			t.Errorf("parked gauge = %v", got)
		}
		if r.count(resultParked) != 1 || r.count(resultRetried) != 2 {
			t.Errorf("parked %v retried %v, want 1 and 2", r.count(resultParked), r.count(resultRetried))
		}
		// The same key again is a duplicate of the parked item, not a new try.
		again := r.ask(t, update("sms:1", "900")).(messages.CRMOutboxItem)
		synctest.Wait()
		if !again.Parked || len(rec.all()) != 3 {
			t.Errorf("re-sent parked key: ack %+v, %d tries", again, len(rec.all()))
		}
	})
}

func TestAHangingCRMNeverBlocksTheMailbox(t *testing.T) {
	s := openStore(t)
	synctest.Test(t, func(t *testing.T) {
		rec, crm := newRecorder(hang)
		crm.search = func(_ context.Context, p messages.Phone) ([]messages.Lead, error) {
			return []messages.Lead{{LeadID: "900", Phone: p}}, nil
		}
		r := start(t, Deps{Bucket: s.Bucket("crm"), Client: crm})
		for i := range 6 {
			before := time.Now()
			ack := r.ask(t, update(fmt.Sprintf("sms:%d", i), "900"))
			if _, ok := ack.(messages.CRMOutboxItem); !ok || time.Since(before) != 0 {
				t.Fatalf("update %d answered %T after %v", i, ack, time.Since(before))
			}
		}
		synctest.Wait()
		if n := len(rec.all()); n != maxInFlight {
			t.Errorf("%d deliveries in flight, want %d", n, maxInFlight)
		}
		before := time.Now()
		if ob := r.outbox(t, false); ob.Pending != 6 || len(ob.Items) != 6 || ob.Items[0].Update.Key != "sms:0" {
			t.Errorf("outbox = %+v", ob)
		}
		found := r.ask(t, messages.LookupLead{Phone: "+15555550123"}).(messages.LeadLookup)
		if found.Err != "" || len(found.Leads) != 1 || found.Leads[0].LeadID != "900" {
			t.Errorf("look-up = %+v", found)
		}
		if time.Since(before) != 0 {
			t.Errorf("queries took %v of fake time", time.Since(before))
		}

		r.stop(t)
		if time.Since(before) != 0 {
			t.Errorf("stop took %v with deliveries in flight", time.Since(before))
		}
		time.Sleep(48 * time.Hour)
		synctest.Wait()
		if n := r.dead.Load(); n != 0 {
			t.Errorf("%d dead letters after stop", n)
		}
		if n := len(rec.all()); n != maxInFlight {
			t.Errorf("%d deliveries tried after stop, want still %d", n, maxInFlight)
		}
	})
}

func TestStopCancelsADeliveryInFlightAndLeavesNothingBehind(t *testing.T) {
	s := openStore(t)
	synctest.Test(t, func(t *testing.T) {
		cancelled := make(chan error, 1)
		_, crm := newRecorder(func(ctx context.Context, _ int, _ convoso.LeadUpdate) error {
			<-ctx.Done()
			cancelled <- ctx.Err()
			return ctx.Err()
		})
		r := start(t, Deps{Bucket: s.Bucket("crm"), Client: crm})
		r.ask(t, update("sms:1", "900"))
		synctest.Wait()
		before := time.Now()
		r.stop(t)
		if time.Since(before) != 0 {
			t.Errorf("stop took %v", time.Since(before))
		}
		select {
		case err := <-cancelled:
			if !errors.Is(err, context.Canceled) {
				t.Errorf("delivery ended with %v, want context.Canceled", err)
			}
		default:
			t.Fatal("the delivery in flight was not cancelled and joined by the stop")
		}
		time.Sleep(48 * time.Hour)
		synctest.Wait()
		if n := r.dead.Load(); n != 0 {
			t.Errorf("%d dead letters after stop", n)
		}
	})
}

func TestPendingAndParkedUpdatesSurviveARestart(t *testing.T) {
	s := openStore(t)
	synctest.Test(t, func(t *testing.T) {
		cfg := testCfg()
		cfg.MaxTries = 2
		_, down := newRecorder(func(_ context.Context, _ int, u convoso.LeadUpdate) error {
			if u.LeadID == "C" {
				return nil
			}
			return errors.New("convoso: update lead: http 500")
		})
		r := start(t, Deps{Bucket: s.Bucket("crm"), Client: down, Cfg: cfg})
		r.ask(t, update("k:A", "A"))
		time.Sleep(31 * time.Second) // A's second try: parked
		r.ask(t, update("k:B", "B"))
		r.ask(t, update("k:C", "C"))
		synctest.Wait()
		before := r.outbox(t, false)
		if before.Pending != 1 || before.Parked != 1 || before.Items[0].Update.Key != "k:B" {
			t.Fatalf("before the restart: %+v", before)
		}
		r.stop(t)

		rec, up := newRecorder(nil)
		r = start(t, Deps{Bucket: s.Bucket("crm"), Client: up, Cfg: cfg})
		defer r.stop(t)
		pending, parked := r.outbox(t, false), r.outbox(t, true)
		if diff := cmp.Diff(before.Items, pending.Items); diff != "" {
			t.Errorf("pending after restart (-before +after):\n%s", diff)
		}
		if len(parked.Items) != 1 || parked.Items[0].Update.Key != "k:A" || !parked.Items[0].Parked || parked.Items[0].Tries != 2 {
			t.Errorf("parked after restart = %+v", parked)
		}
		if ack := r.ask(t, update("k:C", "C")).(messages.CRMOutboxItem); !ack.NextTry.IsZero() || r.count(resultDuplicate) != 1 {
			t.Errorf("delivered key after restart: ack %+v, duplicates %v", ack, r.count(resultDuplicate))
		}
		time.Sleep(time.Minute)
		synctest.Wait()
		calls := rec.all()
		if len(calls) != 1 || calls[0].u.LeadID != "B" {
			t.Fatalf("after restart the CRM got %+v, want B only", calls)
		}
		if ob := r.outbox(t, false); ob.Pending != 0 || ob.Parked != 1 {
			t.Errorf("after delivery: %+v", ob)
		}
	})
}

func TestAFullOutboxRefusesLoudly(t *testing.T) {
	s := openStore(t)
	synctest.Test(t, func(t *testing.T) {
		core, logs := observer.New(zapcore.InfoLevel)
		_, crm := newRecorder(hang)
		cfg := testCfg()
		cfg.MaxItems = 2
		r := start(t, Deps{Log: zap.New(core), Bucket: s.Bucket("crm"), Client: crm, Cfg: cfg})
		defer r.stop(t)
		r.ask(t, update("k:1", "1"))
		r.ask(t, update("k:2", "2"))
		refused, ok := r.ask(t, update("k:3", "3")).(messages.Failed)
		if !ok || refused.Actor != "crm" || !strings.Contains(refused.Reason, "outbox full") {
			t.Fatalf("third update answered %+v, want messages.Failed (outbox full)", refused)
		}
		if n := logs.FilterMessage("crm outbox full; update refused").FilterLevelExact(zapcore.ErrorLevel).Len(); n != 1 {
			t.Errorf("%d error lines for the refusal, want 1", n)
		}
		if r.count(resultRefusedFull) != 1 {
			t.Errorf("refused_full = %v", r.count(resultRefusedFull))
		}
		// Invalid updates are refused too, and a larger bound takes effect at once.
		if _, ok := r.ask(t, messages.CRMUpdate{Key: "k:x", Status: "A"}).(messages.Failed); !ok {
			t.Error("an update without a lead was accepted")
		}
		big := config.Default()
		big.CRM = cfg
		big.CRM.MaxItems = 3
		r.system.Root.Send(r.pid, messages.ConfigChanged{Config: big})
		if _, ok := r.ask(t, update("k:3", "3")).(messages.CRMOutboxItem); !ok {
			t.Error("refused after max_items was raised")
		}
	})
}
