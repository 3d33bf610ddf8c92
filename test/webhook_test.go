package test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"testing"
)

func TestFixturesAreAcceptedInTheOldShapes(t *testing.T) {
	d := startDaemon(t, webhookConfig)
	tests := []struct {
		path, fixture string
		status        int
		want          []string
	}{
		{"/webhooks/awhealth-outbound", "crm_lead.json", 202, []string{`"success":true`, `"request_id":"`}},
		{"/webhooks/call-back", "crm_call_back.json", 202, []string{`"success":true`}},
		{"/webhooks/bland-callback", "bland_completion_voicemail.json", 200, []string{`"call_id":"8a7b6c5d-1111-4e2f-9a3b-000000000002"`}},
		{"/webhooks/bland-callback", "bland_completion_transferred.json", 200, []string{`"success":true`}},
		{"/webhooks/bland-callback", "bland_completion_failed.json", 200, []string{`"success":true`}},
		{"/webhooks/bland-callback", "bland_completion_no_answer.json", 200, []string{`"success":true`}},
		{"/webhooks/sms-reply", "sms_reply_stop.json", 200, []string{`"classification":"opt_out"`}},
		{"/webhooks/sms-reply", "sms_reply_callback.json", 200, []string{`"classification":"callback"`}},
	}
	for _, tt := range tests {
		code, body := post(d.addr, tt.path, fixture(t, tt.fixture), nil)
		if code != tt.status {
			t.Errorf("%s %s = %d %s, want %d", tt.path, tt.fixture, code, body, tt.status)
		}
		for _, w := range tt.want {
			if !strings.Contains(string(body), w) {
				t.Errorf("%s %s answered %s, want it to contain %s", tt.path, tt.fixture, body, w)
			}
		}
	}
	p := d.logPage("/api/admin/webhook-logs/search/phone/(555)%20555-0123")
	if p.Total != 4 { // the lead, the voicemail, the transfer and the STOP reply
		t.Errorf("search by phone found %d entries, want 4: %+v", p.Total, p.Entries)
	}
	if p := d.logPage("/api/admin/webhook-logs/search/lead/900126"); p.Total != 1 || p.Entries[0].Source != "call-back" {
		t.Errorf("search by lead = %+v", p)
	}
	today := d.logPage("/api/admin/webhook-logs/today?limit=2")
	if today.Stats.Total != 8 || today.Stats.Processed != 8 || len(today.Entries) != 2 || today.Entries[0].Seq < today.Entries[1].Seq {
		t.Errorf("today = %+v, want 8 processed, 2 entries newest first", today)
	}
}

func TestBadInputGetsAClear4xxAndTheDaemonStaysUp(t *testing.T) {
	const secret, token = "bland-secret", "crm-token"
	d := startDaemon(t, webhookConfig+"bland:\n  webhook_secret: "+secret+"\nwebhooks:\n  token: "+token+"\n")
	sign := func(b []byte) string {
		m := hmac.New(sha256.New, []byte(secret))
		m.Write(b)
		return hex.EncodeToString(m.Sum(nil))
	}
	good := fixture(t, "bland_completion_voicemail.json")
	lead := fixture(t, "crm_lead.json")
	tok := http.Header{"X-Webhook-Token": {token}}
	signed := func(b []byte) http.Header { return http.Header{"X-Webhook-Signature": {sign(b)}} }
	big := completion("big", 2<<20)
	tests := []struct {
		name        string
		method      string
		path        string
		ctype       string
		body        []byte
		header      http.Header
		status      int
		code        string
		mentionsAll []string
	}{
		{"empty body", "POST", "/webhooks/bland-callback", "application/json", []byte{}, signed([]byte{}), 400, "bad_json", nil},
		{"array body", "POST", "/webhooks/bland-callback", "application/json", []byte(`[1,2]`), signed([]byte(`[1,2]`)), 400, "bad_json", nil},
		{"2 MiB body", "POST", "/webhooks/bland-callback", "application/json", big, signed(big), 413, "body_too_large", nil},
		{"text body", "POST", "/webhooks/awhealth-outbound", "text/plain", []byte("hello"), tok, 415, "unsupported_media_type", nil},
		{"malformed JSON", "POST", "/webhooks/awhealth-outbound", "application/json", []byte(`{"lead_id":`), tok, 400, "bad_json", nil},
		{"wrong field types", "POST", "/webhooks/awhealth-outbound", "application/json", []byte(`{"lead_id":{},"list_id":true,"phone_number":[1]}`), tok, 400, "invalid_fields", []string{"lead_id", "list_id", "phone_number"}},
		{"missing fields", "POST", "/webhooks/awhealth-outbound", "application/json", []byte(`{"first_name":"x"}`), tok, 400, "invalid_fields", []string{"lead_id", "list_id", "phone_number"}},
		{"unnormalisable phone", "POST", "/webhooks/awhealth-outbound", "application/json", []byte(`{"lead_id":"1","list_id":"2","phone_number":"call me maybe"}`), tok, 400, "invalid_fields", []string{"phone_number"}},
		{"bad signature", "POST", "/webhooks/bland-callback", "application/json", good, http.Header{"X-Webhook-Signature": {strings.Repeat("ab", 32)}}, 401, "bad_signature", nil},
		{"missing signature", "POST", "/webhooks/bland-callback", "application/json", good, nil, 401, "bad_signature", nil},
		{"wrong token", "POST", "/webhooks/awhealth-outbound", "application/json", lead, http.Header{"X-Webhook-Token": {"nope"}}, 401, "unauthorized", nil},
		{"missing token", "POST", "/webhooks/sms-reply", "application/json", fixture(t, "sms_reply_stop.json"), nil, 401, "unauthorized", nil},
		{"unknown path", "POST", "/webhooks/nope", "application/json", lead, tok, 404, "not_found", nil},
		{"wrong method", "GET", "/webhooks/awhealth-outbound", "", nil, tok, 405, "method_not_allowed", nil},
		{"completion without call_id", "POST", "/webhooks/bland-callback", "application/json", []byte(`{"to":"+15555550123"}`), signed([]byte(`{"to":"+15555550123"}`)), 400, "invalid_fields", []string{"call_id"}},
		{"sms without text", "POST", "/webhooks/sms-reply?token=" + token, "application/json", []byte(`{"from":"+15555550123"}`), nil, 400, "invalid_fields", nil},
		{"admin without key", "GET", "/api/admin/webhook-logs/today", "", nil, nil, 401, "unauthorized", nil},
		{"admin bad date", "GET", "/api/admin/webhook-logs/2026-13-45", "", nil, http.Header{"X-Api-Key": {adminKey}}, 400, "bad_date", nil},
		{"admin bad limit", "GET", "/api/admin/webhook-logs/today?limit=-1", "", nil, http.Header{"X-Api-Key": {adminKey}}, 400, "bad_page", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, d.url(tt.path), bytes.NewReader(tt.body))
			if tt.ctype != "" {
				req.Header.Set("Content-Type", tt.ctype)
			}
			for k, v := range tt.header {
				req.Header[k] = v
			}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var e struct{ Error, Message, RequestID string }
			if err := json.NewDecoder(resp.Body).Decode(&e); err != nil {
				t.Fatalf("%d answer is not JSON: %v", resp.StatusCode, err)
			}
			if resp.StatusCode != tt.status || e.Error != tt.code || e.Message == "" {
				t.Fatalf("got %d %+v, want %d %s with a message", resp.StatusCode, e, tt.status, tt.code)
			}
			for _, m := range tt.mentionsAll {
				if !strings.Contains(e.Message, m) {
					t.Errorf("message %q does not name %s", e.Message, m)
				}
			}
		})
	}
	// A huge header block: the server refuses it with 431 and stays up.
	conn, err := net.Dial("tcp", d.addr)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = conn.Write([]byte("GET /livez HTTP/1.1\r\nHost: x\r\nX-Big: " + strings.Repeat("a", 1<<20) + "\r\n\r\n"))
	buf := make([]byte, 64)
	n, _ := conn.Read(buf)
	conn.Close()
	if !strings.Contains(string(buf[:n]), "431") {
		t.Errorf("huge header answered %q, want 431", buf[:n])
	}
	if code, _ := d.get("/readyz"); code != 200 {
		t.Fatalf("after bad input /readyz = %d", code)
	}
	if p := d.logPage("/api/admin/webhook-logs/today"); p.Stats.ValidationFailures < 6 {
		t.Errorf("validation failures journaled: %d, want the rejected bodies recorded", p.Stats.ValidationFailures)
	}
}

func TestRepeatedCompletionIsAcknowledgedFiveTimesAndRecordedOnce(t *testing.T) {
	d := startDaemon(t, webhookConfig)
	body := fixture(t, "bland_completion_transferred.json")
	for i := range 5 {
		if code, b := post(d.addr, "/webhooks/bland-callback", body, nil); code != 200 {
			t.Fatalf("post %d = %d %s", i, code, b)
		}
	}
	var n int
	for _, e := range d.allToday() {
		if e.CallID == "3f1c2a9e-0b7d-4c61-9e2f-5a1b7c9d0e11" {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("the completion is in the webhook log %d times, want 1", n)
	}
}
