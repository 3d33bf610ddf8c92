package test

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// A completion the calls actor committed and published, but the CRM outbox
// never stored, is lost to a kill -9 unless the outbox asks for it again at
// start. With the CRM down before the kill nothing is delivered early, so
// every call must end up with exactly one update.
func TestKill9AfterCompletionsEveryCallUpdatesTheCRMOnce(t *testing.T) {
	const n = 200
	b, crm := newFakeBland(t), newFakeCRM(t)
	crm.setDown(true)
	stopDrain := make(chan struct{})
	defer close(stopDrain)
	go func() { // the fake counts refusals on a bounded channel
		for {
			select {
			case <-crm.refused:
			case <-stopDrain:
				return
			}
		}
	}()
	dataDir := t.TempDir()
	cfg := strings.Replace(liveConfig(b, crm), "\ncrm:\n", "\ncrm:\n  max_tries: 1000\n", 1)
	d := startDaemonIn(t, dataDir, cfg)

	var wg sync.WaitGroup
	errs := make(chan string, n)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += 8 {
				body := fmt.Sprintf(`{"call_id":"c-%d","to":"+15555550188","from":"+15555550177","status":"completed",`+
					`"answered_by":"voicemail","corrected_duration":30,"variables":{"lead_id":"L%d","list_id":"4242"}}`, i, i)
				if code, out := post(d.addr, "/webhooks/bland-callback", []byte(body), nil); code != 200 {
					errs <- fmt.Sprintf("completion %d = %d %s", i, code, out)
				}
			}
		}()
	}
	wg.Wait()
	_ = d.cmd.Process.Signal(syscall.SIGKILL) // right after the last one was accepted
	d.waitExit(10 * time.Second)
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}

	crm.setDown(false)
	d2 := startDaemonIn(t, dataDir, cfg)
	updates := map[string]int{}
	deadline := time.After(60 * time.Second)
	for len(updates) < n {
		select {
		case form := <-crm.got:
			updates[form.Get("lead_id")]++
		case <-deadline:
			t.Fatalf("the CRM got updates for %d of %d calls", len(updates), n)
		}
	}
	// Once the outbox is empty nothing more will come: count what came.
	key := map[string][]string{"X-Api-Key": {adminKey}}
	for {
		code, body := d2.do("GET", "/api/admin/crm/outbox", nil, key)
		var res struct{ Outbox struct{ Pending, Parked int } }
		if code != 200 || json.Unmarshal(body, &res) != nil {
			t.Fatalf("outbox = %d %s", code, body)
		}
		if res.Outbox.Pending+res.Outbox.Parked == 0 {
			break
		}
		if res.Outbox.Parked > 0 {
			t.Fatalf("%d updates parked", res.Outbox.Parked)
		}
		select {
		case form := <-crm.got:
			updates[form.Get("lead_id")]++
		case <-time.After(100 * time.Millisecond): // poll the outbox again; bounded by the loop's progress
		}
	}
	drainUpdates(crm, updates)
	for i := range n {
		if got := updates[fmt.Sprintf("L%d", i)]; got != 1 {
			t.Errorf("call c-%d: %d CRM updates, want 1", i, got)
		}
	}
	for _, rec := range d2.logRecords("completions resent") {
		if rec["to"] == "root/crm" {
			t.Logf("resent to the CRM outbox after the restart: %v completions", rec["sent"])
		}
	}
}

// drainUpdates counts the updates already received but not yet read.
func drainUpdates(crm *fakeCRM, updates map[string]int) {
	for {
		select {
		case form := <-crm.got:
			updates[form.Get("lead_id")]++
		default:
			return
		}
	}
}
