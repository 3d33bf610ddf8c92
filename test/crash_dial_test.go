package test

import (
	"encoding/json"
	"fmt"
	"syscall"
	"testing"
	"time"
)

func TestKill9AfterDialIntentsNeverDialsAPhoneTwice(t *testing.T) {
	const leads, answered, killAt = 20, 5, 8
	b, crm := newFakeBland(t), newFakeCRM(t)
	b.setHangAfter(answered) // later dials reach the provider but get no answer
	dataDir := t.TempDir()
	cfg := liveConfig(b, crm) + openAlways
	d := startDaemonIn(t, dataDir, cfg)
	for i := range leads {
		body := fmt.Sprintf(`{"lead_id":"L%d","list_id":"4242","phone_number":"55555501%02d"}`, i, i)
		if code, out := post(d.addr, "/webhooks/awhealth-outbound", []byte(body), nil); code != 202 {
			t.Fatalf("lead %d = %d %s", i, code, out)
		}
	}
	for range killAt {
		select {
		case <-b.got:
		case <-time.After(15 * time.Second):
			t.Fatal("the provider was not asked")
		}
	}
	_ = d.cmd.Process.Signal(syscall.SIGKILL)
	d.waitExit(10 * time.Second)
	b.setHangAfter(0)

	d2 := startDaemonIn(t, dataDir, cfg)
	// Wait until the gate has a call for every lead: dialled after the
	// restart, or held as unknown because its dial was cut short.
	key := map[string][]string{"X-Api-Key": {adminKey}}
	for i := 0; i < leads; {
		code, body := d2.do("GET", fmt.Sprintf("/api/admin/calls/history/55555501%02d", i), nil, key)
		var h struct {
			History struct{ Calls []struct{ State string } }
		}
		if code != 200 || json.Unmarshal(body, &h) != nil {
			t.Fatalf("history %d = %d %s", i, code, body)
		}
		switch n := len(h.History.Calls); {
		case n > 1:
			t.Fatalf("phone %d has %d calls: dialled twice", i, n)
		case n == 1 && h.History.Calls[0].State != "intent": // "intent": the provider is still being asked
			i++
		default:
			d2.waitLog(`"msg":"dialled"`, 100*time.Millisecond) // give the intake a moment; bounded
		}
	}
	// The calls the provider answered before the kill are still matched,
	// each completion naming its call's phone as the provider's do: by its
	// call id, or, when the kill came before the answer was stored, as the
	// dial cut short on that phone.
	dials := b.dialled()
	for i := 1; i <= answered; i++ {
		body := fmt.Sprintf(`{"call_id":"fake-call-%d","to":%q,"status":"completed","answered_by":"voicemail","corrected_duration":30}`,
			i, dials[i-1]["phone_number"])
		if code, out := post(d2.addr, "/webhooks/bland-callback", []byte(body), nil); code != 200 {
			t.Fatalf("completion %d = %d %s", i, code, out)
		}
	}
	for i := 1; i <= answered; i++ {
		if !d2.waitLog(fmt.Sprintf(`"msg":"call completed","call_id":"fake-call-%d"`, i), 10*time.Second) {
			t.Errorf("the completion of fake-call-%d did not match its call", i)
		}
	}
	if n := len(d2.logRecords("inbound call completed")); n != 0 {
		t.Errorf("%d completions taken for inbound calls", n)
	}
	perPhone := map[any]int{}
	for _, c := range b.dialled() {
		perPhone[c["phone_number"]]++
	}
	for phone, n := range perPhone {
		if n != 1 {
			t.Errorf("%v was dialled %d times", phone, n)
		}
	}
	held := len(d2.logRecords("a dial was cut short by the last stop; its phone stays held as unknown until calls.pending_timeout"))
	if held < killAt-answered || len(perPhone)+held-(killAt-answered) < leads {
		t.Errorf("%d phones reached the provider and %d dials were held as unknown; every lead must be one or the other", len(perPhone), held)
	}
	t.Logf("%d phones dialled, %d interrupted dials held as unknown (never redialled)", len(perPhone), held)
}
