package test

import (
	"strings"
	"testing"
	"time"
)

// openAlways keeps business hours open, so leads are dialled at once.
const openAlways = `
business:
  days: [mon, tue, wed, thu, fri, sat, sun]
  open: "00:00"
  close: "24:00"
`

func TestLeadWebhookIsDialledOnceAndItsCompletionApplies(t *testing.T) {
	d := startDaemon(t, webhookConfig+openAlways)
	if code, b := post(d.addr, "/webhooks/awhealth-outbound", fixture(t, "crm_lead.json"), nil); code != 202 {
		t.Fatalf("lead = %d %s", code, b)
	}
	// The CRM pushing a call-back for the same lead right away: refused,
	// busy (rule 3: the call is still in flight, checked before duplicates).
	callBack := []byte(`{"lead_id":"900123","list_id":"4242","phone_number":"5555550123"}`)
	if code, b := post(d.addr, "/webhooks/call-back", callBack, nil); code != 202 {
		t.Fatalf("call-back = %d %s", code, b)
	}
	if !d.waitLog(`"msg":"dialled"`, 10*time.Second) || !d.waitLog(`"result":"busy"`, 10*time.Second) {
		t.Fatalf("no dial, or the call-back was not refused")
	}
	dials := d.logRecords("dialled")
	if len(dials) != 1 || dials[0]["lead_id"] != "900123" {
		t.Fatalf("dials logged: %v", dials)
	}
	callID := dials[0]["call_id"].(string)
	body := strings.Replace(string(fixture(t, "bland_completion_voicemail.json")), "8a7b6c5d-1111-4e2f-9a3b-000000000002", callID, 1)
	if code, b := post(d.addr, "/webhooks/bland-callback", []byte(body), nil); code != 200 {
		t.Fatalf("completion = %d %s", code, b)
	}
	if !d.waitLog(`"msg":"call completed"`, 10*time.Second) {
		t.Fatal("the completion was not applied")
	}
	done := d.logRecords("call completed")
	if len(done) != 1 || done[0]["call_id"] != callID || done[0]["outcome"] != "VOICEMAIL" {
		t.Fatalf("completion logged: %v", done)
	}
	_, metrics := d.get("/metrics")
	for _, want := range []string{`orchestrator_dials_total{result="dialled"} 1`, `orchestrator_dials_total{result="busy"} 1`,
		`orchestrator_calls_completed_total{outcome="VOICEMAIL"} 1`} {
		if !strings.Contains(string(metrics), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

func TestCallsQueueAndOutboxAdminAnswer(t *testing.T) {
	d := startDaemon(t, webhookConfig+openAlways)
	key := map[string][]string{"X-Api-Key": {adminKey}}
	if code, b := post(d.addr, "/webhooks/awhealth-outbound", fixture(t, "crm_lead.json"), nil); code != 202 {
		t.Fatalf("lead = %d %s", code, b)
	}
	if !d.waitLog(`"msg":"dialled"`, 10*time.Second) {
		t.Fatal("no dial")
	}
	callID := d.logRecords("dialled")[0]["call_id"].(string)
	for path, want := range map[string]string{
		"/api/admin/calls/active":                   `"count":1`,
		"/api/admin/calls/" + callID:                `"lead_id":"900123"`,
		"/api/admin/calls/history/(555)%20555-0123": `"in_flight":"` + callID + `"`,
		"/api/admin/scheduler/queue":                `"total":0`,
		"/api/admin/crm/outbox":                     `"pending":0`,
	} {
		code, body := d.do("GET", path, nil, key)
		if code != 200 || !strings.Contains(string(body), want) {
			t.Errorf("GET %s = %d %s, want %s", path, code, body, want)
		}
	}
	if code, _ := d.do("GET", "/api/admin/calls/no-such-call", nil, key); code != 404 {
		t.Errorf("unknown call = %d, want 404", code)
	}
	if code, body := d.do("POST", "/api/admin/scheduler/queue/process", nil, key); code != 200 || !strings.Contains(string(body), "queue empty") {
		t.Errorf("process = %d %s", code, body)
	}
}
