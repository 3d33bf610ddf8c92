package test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// smsProvider is the voice and SMS provider on loopback: calls get a new
// call id, texts are recorded.
type smsProvider struct {
	srv   *httptest.Server
	mu    sync.Mutex
	texts []map[string]string
	calls chan string   // call ids placed
	sent  chan struct{} // one value per text
}

func newSMSProvider(t *testing.T) *smsProvider {
	p := &smsProvider{calls: make(chan string, 64), sent: make(chan struct{}, 64)}
	n := 0
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.Header.Get("Authorization") != "Bearer bland-key" {
			http.Error(w, "unexpected request", http.StatusBadRequest)
			return
		}
		var body map[string]any
		_ = json.NewDecoder(r.Body).Decode(&body)
		p.mu.Lock()
		defer p.mu.Unlock()
		n++
		switch r.URL.Path {
		case "/v1/calls":
			id := fmt.Sprintf("sms-test-call-%d", n)
			p.calls <- id
			fmt.Fprintf(w, `{"status":"success","call_id":%q}`, id)
		case "/v1/sms/send":
			p.texts = append(p.texts, map[string]string{"phone_number": fmt.Sprint(body["phone_number"]),
				"from": fmt.Sprint(body["from"]), "message": fmt.Sprint(body["message"])})
			p.sent <- struct{}{}
			fmt.Fprintf(w, `{"status":"success","message_id":"sms-%d"}`, n)
		default:
			http.Error(w, "unknown path", http.StatusNotFound)
		}
	}))
	t.Cleanup(p.srv.Close)
	return p
}

func (p *smsProvider) sentTexts() []map[string]string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]map[string]string(nil), p.texts...)
}

// smsAlways lets texts go at any hour of any day, in every zone.
const smsAlways = `
sms:
  days: [sun, mon, tue, wed, thu, fri, sat]
  start_hour: 0
  end_hour: 24
  interval: 100ms
  retry_interval: 100ms
`

func TestVoicemailIsTextedAndSTOPOptsOut(t *testing.T) {
	p, crm := newSMSProvider(t), newFakeCRM(t)
	cfg := webhookConfig + openAlways + smsAlways + `
bland:
  mode: live
  api_key: bland-key
  base_url: ` + p.srv.URL + `
  retry_backoff: 10ms
  from_numbers: ["+15555550188"]
convoso:
  mode: live
  auth_token: crm-token
  base_url: ` + crm.srv.URL + `
  retry_backoff: 10ms
  max_retries: 0
crm:
  retry_min: 50ms
  retry_max: 200ms
`
	d := startDaemon(t, cfg)
	if code, b := post(d.addr, "/webhooks/awhealth-outbound", fixture(t, "crm_lead.json"), nil); code != 202 {
		t.Fatalf("lead = %d %s", code, b)
	}
	var callID string
	select {
	case callID = <-p.calls:
	case <-time.After(10 * time.Second):
		t.Fatal("the lead was never dialled")
	}
	if code, b := post(d.addr, "/webhooks/bland-callback", completionBody(callID, "+15555550123", "completed", "voicemail", false), nil); code != 200 {
		t.Fatalf("completion = %d %s", code, b)
	}
	select {
	case <-p.sent:
	case <-time.After(10 * time.Second):
		t.Fatalf("no text after a voicemail\n%s", d.log())
	}
	select {
	case <-p.sent:
		t.Fatalf("a second text on the same day: %v", p.sentTexts())
	case <-time.After(time.Second): // ten ticks: absence can only be observed for a while
	}
	texts := p.sentTexts()
	want := "Hi Jane, this is AW Health returning your request about health coverage. Reply here or call us back when it suits you. Reply STOP to opt out."
	if len(texts) != 1 || texts[0]["phone_number"] != "+15555550123" || texts[0]["from"] != "+15555550188" || texts[0]["message"] != want {
		t.Fatalf("texts %v, want one templated text to the lead from our number", texts)
	}

	code, b := post(d.addr, "/webhooks/sms-reply", fixture(t, "sms_reply_stop.json"), nil)
	if code != 200 || !strings.Contains(string(b), `"classification":"opt_out"`) ||
		!strings.Contains(string(b), `"actions":["blocklist","sms_opted_out","redial_completed","crm_dnc"]`) {
		t.Fatalf("sms reply = %d %s", code, b)
	}
	key := http.Header{"X-Api-Key": {adminKey}}
	if !d.waitLog(`"added_by":"sms"`, 10*time.Second) {
		t.Fatalf("the opt-out never reached the blocklist\n%s", d.log())
	}
	if _, body := d.do("GET", "/api/admin/blocklist?field=phone", nil, key); !strings.Contains(string(body), `"value":"+15555550123"`) ||
		!strings.Contains(string(body), `"reason":"sms opt-out"`) {
		t.Errorf("blocklist: %s", body)
	}
	deadline := time.After(10 * time.Second)
	for dnc := false; !dnc; {
		select {
		case u := <-crm.got:
			dnc = u.Get("status") == "DNC" && u.Get("lead_id") == "900123"
		case <-deadline:
			t.Fatalf("no DNC update at the CRM; updates: %d", crm.updateCount())
		}
	}
	if _, body := d.do("GET", "/api/admin/sms/sequences?status=OPTED_OUT", nil, key); !strings.Contains(string(body), `"phone":"+15555550123"`) {
		t.Errorf("opted-out sequences: %s", body)
	}
	if _, body := d.get("/metrics"); !strings.Contains(string(body), `orchestrator_sms_total{result="sent"} 1`) {
		t.Errorf("metrics lack one sent text")
	}
	if code, body := d.do("POST", "/api/admin/sms/sequences/(555)%20555-0123/cancel", nil, key); code != 200 ||
		!strings.Contains(string(body), `"status":"OPTED_OUT"`) {
		t.Errorf("cancel of an opted-out sequence = %d %s", code, body)
	}
	if code, _ := d.do("POST", "/api/admin/sms/sequences/5555550999/cancel", nil, key); code != 404 {
		t.Errorf("cancel of an unknown phone = %d, want 404", code)
	}
}
