package redial

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"

	"orchestrator/messages"
)

// Leads come from the journal: a lead that became durable while the cadence
// was down (a kill -9 after the gate committed its dial) gets its record at
// the next start, and a restart resumes after the last lead stored, so no
// lead is applied twice.
func TestLeadIntakeResumesFromTheStoredPosition(t *testing.T) {
	b := openBucket(t)
	synctest.Test(t, func(t *testing.T) {
		sleepUntil(monday10)
		r := start(t, testConfig(), b, &gate{})
		r.lead(phoneA, "LA")
		r.system.Root.Send(r.journalPID, appendRecord{source: messages.SourceCompletion, body: `{"call_id":"x"}`})
		r.lead(phoneB, "LB")
		recA := r.record(t, phoneA)
		if recA.Lead.LeadID != "LA" || recA.Lead.FirstName != "FLA" || recA.Status != messages.RedialPending ||
			!recA.NextDue.Equal(monday10.Add(2*time.Minute)) {
			t.Fatalf("record of A: %+v", recA)
		}

		// Down for a while; a lead arrives meanwhile.
		if err := r.system.Root.PoisonFuture(r.pid).Wait(); err != nil {
			t.Fatal(err)
		}
		sleepUntil(monday10.Add(time.Minute))
		r.system.Root.Send(r.journalPID, appendRecord{source: messages.SourceLead, body: leadBody("+15555550003", "LC")})
		synctest.Wait()
		seen := len(r.journal.pullsAfter())
		sleepUntil(monday10.Add(90 * time.Second))
		r.spawn()
		synctest.Wait()
		if pulls := r.journal.pullsAfter()[seen:]; len(pulls) == 0 || pulls[0] != 3 {
			t.Fatalf("after the restart the cadence read the journal after %v, want 3 (the position stored)", pulls)
		}
		if n := len(r.records(t)); n != 3 {
			t.Fatalf("%d records after the restart, want 3", n)
		}
		if diff := cmp.Diff(recA, r.record(t, phoneA)); diff != "" {
			t.Errorf("A changed by the restart (-before +after):\n%s", diff)
		}
		// C is dated from its webhook: its first gap runs from then.
		recC := r.record(t, "+15555550003")
		if recC.Lead.LeadID != "LC" || !recC.CreatedAt.Equal(monday10.Add(time.Minute)) ||
			!recC.NextDue.Equal(monday10.Add(3*time.Minute)) {
			t.Errorf("record of C: %+v", recC)
		}
		sleepUntil(monday10.Add(3 * time.Minute))
		if got := r.gate.dialsOf("+15555550003"); len(got) != 1 {
			t.Errorf("C dialled at %v, want once", nyTimes(got))
		}

		before := r.records(t)
		seen = len(r.journal.pullsAfter())
		r.restart(t)
		synctest.Wait()
		for _, after := range r.journal.pullsAfter()[seen:] {
			if after < 4 {
				t.Errorf("second restart read the journal after %d: leads applied before would come again", after)
			}
		}
		if diff := cmp.Diff(before, r.records(t)); diff != "" {
			t.Errorf("records changed by the second restart (-before +after):\n%s", diff)
		}
		r.stop(t)
	})
}
