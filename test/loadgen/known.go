package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// knownConfig opens the business hours all week, so every lead is dialled
// at once, and sets an admin key to read the calls in flight.
const knownConfig = `business:
  days: [mon, tue, wed, thu, fri, sat, sun]
  open: "00:00"
  close: "24:00"
admin:
  api_key: loadgen-admin-key-0123456789
`

// runKnown measures the common path: n leads are posted and dialled (dry
// run), then each call's completion is posted, so every completion matches
// a call in flight instead of being taken for an inbound call.
func runKnown(bin string, clients, n, size int) error {
	dataDir, err := os.MkdirTemp("", "loadgen-known-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dataDir)
	cfgPath := filepath.Join(dataDir, "config.yaml")
	if err := os.WriteFile(cfgPath, []byte(knownConfig), 0o600); err != nil {
		return err
	}
	daemon, addr, err := startDaemon(bin, "--config", cfgPath, "--data.dir", filepath.Join(dataDir, "data"), "--set", "shutdown.drain=0s")
	if err != nil {
		return fmt.Errorf("daemon: %w", err)
	}
	defer stopProc(daemon)
	postLeads(addr, clients, n)
	calls, err := awaitDialled(addr, n)
	if err != nil {
		return err
	}
	waitIdle(daemon.pid()) // the leads' other work (cadence, drip) is not the completions'
	fmt.Printf("load: %d clients, %d completions of calls in flight, ~%d B bodies, loopback\n", clients, len(calls), size)
	// The same ~size bytes as the other runs: each call's fields, then a
	// shared transcript.
	tail := []byte(`,"from":"+15555550188","concatenated_transcript":"` + strings.Repeat("t", max(0, size-230)) + `"}`)
	cpu := cpuTime(daemon.pid())
	measureBodies("daemon known calls", "http://"+addr+"/webhooks/bland-callback", clients, len(calls), func(i int64) []byte {
		c := calls[i-1]
		b := make([]byte, 0, len(tail)+160)
		b = append(b, `{"call_id":`...)
		b = strconv.AppendQuote(b, c.CallID)
		b = append(b, `,"to":`...)
		b = strconv.AppendQuote(b, c.Phone)
		b = append(b, `,"status":"completed","answered_by":"human","corrected_duration":95,"variables":{"lead_id":`...)
		b = strconv.AppendQuote(b, c.LeadID)
		b = append(b, '}')
		return append(b, tail...)
	})
	cpu = cpuTime(daemon.pid()) - cpu
	fmt.Printf("server CPU per request: daemon known calls %s\n", (cpu / time.Duration(len(calls))).Round(time.Microsecond))
	waitIdle(daemon.pid())
	left, err := awaitDialled(addr, 0)
	if err != nil {
		return err
	}
	fmt.Printf("calls still in flight after their completions: %d (0: every completion matched its call)\n", len(left))
	return nil
}

// waitIdle returns once pid has used under 5 ms of CPU in 200 ms.
func waitIdle(pid int) {
	for prev := cpuTime(pid); ; {
		time.Sleep(200 * time.Millisecond)
		now := cpuTime(pid)
		if now-prev < 5*time.Millisecond {
			return
		}
		prev = now
	}
}

type inFlight struct {
	CallID string `json:"call_id"`
	Phone  string `json:"phone"`
	LeadID string `json:"lead_id"`
}

// awaitDialled polls the calls in flight until n have a provider call id.
func awaitDialled(addr string, n int) ([]inFlight, error) {
	deadline := time.Now().Add(2 * time.Minute)
	for {
		req, _ := http.NewRequest(http.MethodGet, "http://"+addr+"/api/admin/calls/active", nil)
		req.Header.Set("x-api-key", "loadgen-admin-key-0123456789")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, err
		}
		var list struct{ Calls []inFlight }
		err = json.NewDecoder(resp.Body).Decode(&list)
		resp.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("calls in flight: %w", err)
		}
		dialled := list.Calls[:0]
		for _, c := range list.Calls {
			if c.CallID != "" {
				dialled = append(dialled, c)
			}
		}
		if len(dialled) >= n {
			return dialled, nil
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("only %d of %d leads dialled after 2 minutes", len(dialled), n)
		}
		time.Sleep(500 * time.Millisecond)
	}
}
