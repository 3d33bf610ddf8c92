package test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

const adminKey = "test-admin-key"

// webhookConfig is baseConfig with the admin API on, so tests can read the log.
const webhookConfig = baseConfig + `
admin:
  api_key: ` + adminKey + `
`

var client = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}

// fixture reads a payload from test/testdata.
func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// completion is a distinct, valid completion webhook of about size bytes.
func completion(callID string, size int) []byte {
	body := map[string]any{
		"call_id": callID, "status": "completed", "to": "+15555550123", "from": "+15555550188",
		"answered_by": "voicemail", "call_length": 0.5, "corrected_duration": 30,
		"variables":               map[string]any{"lead_id": "900123", "list_id": "4242"},
		"concatenated_transcript": "",
	}
	b, _ := json.Marshal(body)
	if pad := size - len(b); pad > 0 {
		body["concatenated_transcript"] = strings.Repeat("x", pad)
		b, _ = json.Marshal(body)
	}
	return b
}

// post sends a JSON webhook and returns status and body; a transport error
// (the daemon was killed) is status 0.
func post(addr, path string, body []byte, header http.Header) (int, []byte) {
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

type logEntry struct {
	Seq       uint64 `json:"seq"`
	Source    string `json:"source"`
	Result    string `json:"result"`
	CallID    string `json:"call_id"`
	RequestID string `json:"request_id"`
	Phone     string `json:"phone"`
}

type logPage struct {
	Stats struct {
		Total              int `json:"total"`
		ValidationFailures int `json:"validation_failures"`
		Processed          int `json:"processed"`
	} `json:"stats"`
	Total   int        `json:"total_matching"`
	Entries []logEntry `json:"entries"`
}

// adminGet fetches an admin path with the key and decodes a log page.
func (d *daemon) logPage(path string) logPage {
	d.t.Helper()
	code, body := d.do(http.MethodGet, path, nil, http.Header{"X-Api-Key": {adminKey}})
	if code != 200 {
		d.t.Fatalf("GET %s = %d %s", path, code, body)
	}
	var p logPage
	if err := json.Unmarshal(body, &p); err != nil {
		d.t.Fatalf("GET %s: %v: %s", path, err, body)
	}
	return p
}

// allToday pages through today's whole webhook log.
func (d *daemon) allToday() []logEntry {
	d.t.Helper()
	var all []logEntry
	for offset := 0; ; offset += 500 {
		p := d.logPage(fmt.Sprintf("/api/admin/webhook-logs/today?limit=500&offset=%d", offset))
		all = append(all, p.Entries...)
		if len(p.Entries) < 500 {
			return all
		}
	}
}
