package test

import (
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestKill9MidCadenceContinuesWithoutADoubleDial(t *testing.T) {
	b, crm := newFakeBland(t), newFakeCRM(t)
	dataDir := t.TempDir()
	cfg := liveConfig(b, crm) + openAlways + `
redial:
  intervals: [300ms]
  min_gap: 300ms
  process_interval: 100ms
`
	d := startDaemonIn(t, dataDir, cfg)
	post(d.addr, "/webhooks/awhealth-outbound", fixture(t, "crm_lead.json"), nil)
	next := func(n int) {
		t.Helper()
		select {
		case <-b.got:
		case <-time.After(15 * time.Second):
			t.Fatalf("dial %d never came", n)
		}
	}
	noAnswer := func(d *daemon, n int) {
		t.Helper()
		body := completionBody(fmt.Sprintf("fake-call-%d", n), "+15555550123", "no-answer", "no-answer", false)
		if code, out := post(d.addr, "/webhooks/bland-callback", body, nil); code != 200 {
			t.Fatalf("completion %d = %d %s", n, code, out)
		}
	}
	next(1)
	noAnswer(d, 1)
	next(2) // the first redial
	noAnswer(d, 2)
	if !d.waitLog(`"msg":"call completed","call_id":"fake-call-2"`, 10*time.Second) {
		t.Fatal("second completion not applied")
	}
	_ = d.cmd.Process.Signal(syscall.SIGKILL)
	d.waitExit(10 * time.Second)

	d2 := startDaemonIn(t, dataDir, cfg)
	next(3) // the cadence continues after the restart
	noAnswer(d2, 3)
	next(4)
	calls := b.dialled()
	if len(calls) != 4 {
		t.Fatalf("%d dials, want 4", len(calls))
	}
	// Never two dials in flight for the phone: each came after the previous one's completion.
	key := map[string][]string{"X-Api-Key": {adminKey}}
	if code, body := d2.do("GET", "/api/admin/calls/history/5555550123", nil, key); code != 200 || !strings.Contains(string(body), `"attempts_by_day"`) {
		t.Fatalf("history = %d %s", code, body)
	}
}
