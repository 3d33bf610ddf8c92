package test

import (
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestOffHoursLeadIsQueuedThenDialledWhenAnOperatorOpensTheHours(t *testing.T) {
	b, crm := newFakeBland(t), newFakeCRM(t)
	dataDir := t.TempDir()
	closed := liveConfig(b, crm) + "\nbusiness:\n  days: []\n"
	d := startDaemonIn(t, dataDir, closed)
	key := map[string][]string{"X-Api-Key": {adminKey}, "Content-Type": {"application/json"}}
	post(d.addr, "/webhooks/awhealth-outbound", fixture(t, "crm_lead.json"), nil)
	if !d.waitLog(`"result":"queued"`, 10*time.Second) {
		t.Fatal("the off-hours lead was not queued")
	}
	if code, body := d.do("GET", "/api/admin/scheduler/queue", nil, key); code != 200 || !strings.Contains(string(body), `"total":1`) {
		t.Fatalf("queue = %d %s", code, body)
	}
	if len(b.dialled()) != 0 {
		t.Fatal("dialled outside business hours")
	}
	if code, body := d.do("PUT", "/api/admin/scheduler/config", []byte(`{"days":["mon","tue"],"open":"25:00","close":"17:00"}`), key); code != 400 || !strings.Contains(string(body), "open") {
		t.Fatalf("invalid hours = %d %s, want 400 naming open", code, body)
	}
	open := `{"days":["mon","tue","wed","thu","fri","sat","sun"],"open":"00:00","close":"24:00"}`
	if code, body := d.do("PUT", "/api/admin/scheduler/config", []byte(open), key); code != 200 {
		t.Fatalf("open hours = %d %s", code, body)
	}
	select {
	case <-b.got:
	case <-time.After(10 * time.Second):
		t.Fatal("the queued lead was not dialled when the hours opened")
	}
	if calls := b.dialled(); len(calls) != 1 || calls[0]["phone_number"] != "+15555550123" {
		t.Fatalf("provider got %v", calls)
	}
	d.signal(syscall.SIGTERM)
	if code := d.waitExit(15 * time.Second); code != 0 {
		t.Fatalf("exit %d", code)
	}
	// The operator's hours outlive a restart, whatever the file says.
	d = startDaemonIn(t, dataDir, closed)
	if code, body := d.do("GET", "/api/admin/scheduler/config", nil, key); code != 200 || !strings.Contains(string(body), `"close":"24:00"`) {
		t.Fatalf("config after restart = %d %s", code, body)
	}
}

func TestAMTrackerConfigIsValidatedAndOutlivesARestart(t *testing.T) {
	dataDir := t.TempDir()
	d := startDaemonIn(t, dataDir, webhookConfig)
	key := map[string][]string{"X-Api-Key": {adminKey}, "Content-Type": {"application/json"}}
	code, body := d.do("PUT", "/api/admin/am-tracker/config", []byte(`{"tracked":["VOICEMAIL","SOMETIMES"],"max_per_day":0,"prune_at":"25:00"}`), key)
	if code != 400 || !strings.Contains(string(body), "max_per_day") || !strings.Contains(string(body), "prune_at") || !strings.Contains(string(body), "tracked[1]") {
		t.Fatalf("invalid config = %d %s, want 400 naming each bad key", code, body)
	}
	if code, body := d.do("PUT", "/api/admin/am-tracker/config", []byte(`{"tracked":["VOICEMAIL"],"max_per_day":2,"prune_at":"19:00"}`), key); code != 200 {
		t.Fatalf("valid config = %d %s", code, body)
	}
	d.signal(syscall.SIGTERM)
	if code := d.waitExit(15 * time.Second); code != 0 {
		t.Fatalf("exit %d", code)
	}
	d = startDaemonIn(t, dataDir, webhookConfig)
	if code, body := d.do("GET", "/api/admin/am-tracker/config", nil, key); code != 200 || !strings.Contains(string(body), `"max_per_day":2`) {
		t.Fatalf("config after restart = %d %s", code, body)
	}
}
