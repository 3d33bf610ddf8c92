package test

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

const fastRedial = `
redial:
  intervals: [200ms]
  min_gap: 200ms
  process_interval: 100ms
`

func TestVoicemailIsRedialledAfterTheGapAndATransferEndsIt(t *testing.T) {
	b, crm := newFakeBland(t), newFakeCRM(t)
	d := startDaemon(t, liveConfig(b, crm)+openAlways+fastRedial)
	post(d.addr, "/webhooks/awhealth-outbound", fixture(t, "crm_lead.json"), nil)
	complete := func(n int, answeredBy string, merged bool) {
		select {
		case <-b.got:
		case <-time.After(10 * time.Second):
			t.Fatalf("dial %d never came", n)
		}
		body := string(completionBody(fmt.Sprintf("fake-call-%d", n), "+15555550123", "completed", answeredBy, merged))
		if code, out := post(d.addr, "/webhooks/bland-callback", []byte(body), nil); code != 200 {
			t.Fatalf("completion %d = %d %s", n, code, out)
		}
	}
	complete(1, "voicemail", false) // the lead's own dial
	complete(2, "human", true)      // the redial after the gap: transferred
	// A transfer is a stop outcome: the record completes and nothing more is dialled.
	if !d.waitLog(`"msg":"redial completed"`, 10*time.Second) {
		t.Fatal("the transfer did not complete the redial record")
	}
	key := map[string][]string{"X-Api-Key": {adminKey}}
	if _, body := d.do("GET", "/api/admin/redial-queue/records?status=completed", nil, key); !strings.Contains(string(body), `"+15555550123"`) {
		t.Fatalf("completed records: %s", body)
	}
	select {
	case <-b.got:
		t.Fatalf("dialled again after a transfer: %v", b.dialled())
	case <-time.After(time.Second): // five redial gaps with nothing dialled: absence can only be observed for a while
	}
	if n := len(b.dialled()); n != 2 {
		t.Fatalf("%d dials, want 2", n)
	}
}

// completionBody is a completion for the fake provider's call.
func completionBody(callID, to, status, answeredBy string, merged bool) []byte {
	transfer := "null"
	if merged {
		transfer = `{"state":"MERGED"}`
	}
	return []byte(fmt.Sprintf(`{"call_id":%q,"to":%q,"from":"+15555550188","status":%q,"answered_by":%q,"corrected_duration":40,"warm_transfer_call":%s,"variables":{"lead_id":"900123","list_id":"4242"}}`,
		callID, to, status, answeredBy, transfer))
}
