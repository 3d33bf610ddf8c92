package test

import (
	"encoding/json"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestBlocklistAdminSurvivesARestart(t *testing.T) {
	dataDir := t.TempDir()
	d := startDaemonIn(t, dataDir, webhookConfig)
	key := http.Header{"X-Api-Key": {adminKey}, "Content-Type": {"application/json"}}
	add := func(body string) (int, string) {
		code, b := d.do("POST", "/api/admin/blocklist", []byte(body), key)
		return code, string(b)
	}
	code, body := add(`{"field":"phone","value":"(555) 555-0123","reason":"asked by phone"}`)
	if code != 201 || !strings.Contains(body, `"value":"+15555550123"`) {
		t.Fatalf("add = %d %s", code, body)
	}
	var created struct{ Flag struct{ ID string } }
	_ = json.Unmarshal([]byte(body), &created)
	if code, body := add(`{"field":"phone","value":"+15555550123"}`); code != 200 || !strings.Contains(body, `"created":false`) {
		t.Fatalf("second add = %d %s, want 200 created=false", code, body)
	}
	if code, body := add(`{"field":"email","value":"x@example.invalid"}`); code != 400 || !strings.Contains(body, "field must be") {
		t.Fatalf("bad field = %d %s", code, body)
	}
	d.signal(syscall.SIGTERM)
	if code := d.waitExit(15 * time.Second); code != 0 {
		t.Fatalf("exit %d", code)
	}

	d = startDaemonIn(t, dataDir, webhookConfig)
	code, b := d.do("GET", "/api/admin/blocklist?field=phone", nil, key)
	if code != 200 || !strings.Contains(string(b), created.Flag.ID) || !strings.Contains(string(b), `"total":1`) {
		t.Fatalf("list after restart = %d %s", code, b)
	}
	if code, b := d.do("DELETE", "/api/admin/blocklist/"+created.Flag.ID, nil, key); code != 200 {
		t.Fatalf("delete = %d %s", code, b)
	}
	if code, _ := d.do("DELETE", "/api/admin/blocklist/"+created.Flag.ID, nil, key); code != 404 {
		t.Fatalf("second delete = %d, want 404", code)
	}
}
