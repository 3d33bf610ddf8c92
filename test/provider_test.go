package test

import (
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestLeadDialledLiveAndItsCompletionUpdatesTheCRMOnceEvenAfterAnOutage(t *testing.T) {
	b, crm := newFakeBland(t), newFakeCRM(t)
	d := startDaemon(t, liveConfig(b, crm)+openAlways)
	crm.setDown(true)
	if code, body := post(d.addr, "/webhooks/awhealth-outbound", fixture(t, "crm_lead.json"), nil); code != 202 {
		t.Fatalf("lead = %d %s", code, body)
	}
	if !d.waitLog(`"msg":"dialled"`, 10*time.Second) {
		t.Fatal("no dial")
	}
	calls := b.dialled()
	if len(calls) != 1 {
		t.Fatalf("%d POST /v1/calls, want 1", len(calls))
	}
	facts := calls[0]["request_data"].(map[string]any)
	if calls[0]["phone_number"] != "+15555550123" || facts["lead_id"] != "900123" || facts["first_name"] != "Jane" || calls[0]["wait"] != false {
		t.Fatalf("the provider got %v", calls[0])
	}
	body := strings.Replace(string(fixture(t, "bland_completion_voicemail.json")), "8a7b6c5d-1111-4e2f-9a3b-000000000002", "fake-call-1", 1)
	if code, b := post(d.addr, "/webhooks/bland-callback", []byte(body), nil); code != 200 {
		t.Fatalf("completion = %d %s", code, b)
	}
	// The CRM is down: the update waits in the outbox, retried with backoff.
	if !d.waitLog(`"msg":"call completed"`, 10*time.Second) {
		t.Fatal("completion not applied")
	}
	for range 2 { // refused twice: a first try and a retry
		select {
		case <-crm.refused:
		case <-time.After(10 * time.Second):
			t.Fatal("the outbox did not try the CRM")
		}
	}
	crm.setDown(false)
	select {
	case form := <-crm.got:
		if form.Get("lead_id") != "900123" || form.Get("status") != "A" || form.Get("auth_token") != "crm-token" {
			t.Fatalf("CRM update = %v", form)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the update never reached the CRM after it came back")
	}
	d.signal(syscall.SIGTERM)
	if code := d.waitExit(15 * time.Second); code != 0 {
		t.Fatalf("exit %d", code)
	}
	if n := crm.updateCount(); n != 1 {
		t.Fatalf("%d CRM updates, want exactly 1", n)
	}
}

func TestBlocklistedPhoneIsNeverDialledAndA500IsOneAttempt(t *testing.T) {
	b, crm := newFakeBland(t), newFakeCRM(t)
	d := startDaemon(t, liveConfig(b, crm)+openAlways)
	key := map[string][]string{"X-Api-Key": {adminKey}, "Content-Type": {"application/json"}}
	if code, body := d.do("POST", "/api/admin/blocklist", []byte(`{"field":"phone","value":"5555550123","reason":"asked"}`), key); code != 201 {
		t.Fatalf("blocklist add = %d %s", code, body)
	}
	post(d.addr, "/webhooks/awhealth-outbound", fixture(t, "crm_lead.json"), nil)
	if !d.waitLog(`"result":"blocked"`, 10*time.Second) {
		t.Fatal("the blocklisted lead was not refused")
	}
	b.setFail(500)
	post(d.addr, "/webhooks/call-back", fixture(t, "crm_call_back.json"), nil)
	if !d.waitLog(`"msg":"provider refused the call"`, 10*time.Second) {
		t.Fatal("the provider's 500 was not recorded")
	}
	// The refusal is logged just before it is counted: wait for the count.
	waitFor(t, 10*time.Second, "the failed dial to be counted", func() bool {
		_, metrics := d.get("/metrics")
		return strings.Contains(string(metrics), `orchestrator_dials_total{result="failed"} 1`)
	})
	calls := b.dialled()
	if len(calls) != 1 || calls[0]["phone_number"] != "+15555550126" {
		t.Fatalf("provider got %d requests (%v); want one, for the call-back only (a 500 is never retried)", len(calls), calls)
	}
}
