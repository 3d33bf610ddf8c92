package calls

import (
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"orchestrator/messages"
)

func leadWebhook(id, phone string) []byte {
	return []byte(fmt.Sprintf(`{"lead_id":%q,"list_id":"4242","phone_number":%q}`, id, phone))
}

func (f *fakeDialer) phones() []messages.Phone {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []messages.Phone
	for _, c := range f.calls {
		out = append(out, c.Phone)
	}
	return out
}

// Leads go through the gate several at a time, so one can be dialled while
// an earlier one still waits for an answer. If the daemon stops then, the
// applied sequence is behind both: after the restart the earlier lead is
// dialled, and the later one, already dialled, is not dialled again (even
// past the duplicate window, which would not stop it).
func TestALeadDialledAheadOfAnEarlierOneIsNotDialledAgainAfterARestart(t *testing.T) {
	dir := t.TempDir()
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, dir, hoursOf(t, everyDay, false))
		r.am.silence("LA") // the tracker never answers for A
		r.post(messages.SourceLead, leadWebhook("LA", "5555550001"))
		r.post(messages.SourceLead, leadWebhook("LB", "5555550002"))
		synctest.Wait()
		if got := r.dialer.phones(); len(got) != 1 || got[0] != "+15555550002" {
			t.Fatalf("dialled %v, want B while A waits in the gate", got)
		}
		r.stopCalls()
		time.Sleep(time.Hour) // past calls.duplicate_window
		r.am.silence()
		r.start()
		synctest.Wait()
		if got := r.dialer.phones(); len(got) != 2 || got[1] != "+15555550001" {
			t.Fatalf("dialled %v, want B before the stop and A after it, once each", got)
		}
		r.close()
	})
}
