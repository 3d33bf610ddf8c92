package gateway

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/asynkron/protoactor-go/actor"

	"orchestrator/config"
	"orchestrator/messages"
)

func TestSMSReplyAnswersTheClassificationAndItsActions(t *testing.T) {
	cfg := config.Default()
	cfg.Bland.FromNumbers = []string{"+15555550188"}
	r := newRig(t, cfg, &fakeJournal{})
	tests := []struct {
		name, body string
		want       []string
	}{
		{"opt-out", `{"from":"5555550123","body":"STOP!!"}`,
			[]string{`"classification":"opt_out"`, `"actions":["blocklist","sms_opted_out","redial_completed","crm_dnc"]`}},
		{"callback", `{"from":"+15555550123","message":"Yes please call"}`,
			[]string{`"classification":"callback"`, `"actions":["callback_scheduled","crm_cb"]`}},
		{"negative", `{"from":"+15555550123","text":"no thanks"}`,
			[]string{`"classification":"negative"`, `"actions":["sms_cancelled","crm_ni"]`}},
		{"other", `{"from":"+15555550123","text":"Who is this?"}`, []string{`"classification":"other"`, `"actions":[]`}},
		{"our own number", `{"from":"+15555550188","text":"STOP"}`,
			[]string{`"message":"ignored: from our own number"`, `"actions":[]`}},
	}
	for _, tt := range tests {
		w := r.post("/webhooks/sms-reply", "application/json", []byte(tt.body), nil)
		if w.Code != http.StatusOK {
			t.Errorf("%s: %d %s", tt.name, w.Code, w.Body)
		}
		for _, s := range tt.want {
			if !strings.Contains(w.Body.String(), s) {
				t.Errorf("%s answered %s, want %s", tt.name, w.Body, s)
			}
		}
	}
}

// fakeSMS answers the admin questions and remembers the last one.
type fakeSMS struct{ last chan interface{} }

func (f *fakeSMS) Receive(c actor.Context) {
	switch m := c.Message().(type) {
	case messages.GetSMSStatus:
		f.last <- m
		c.Respond(messages.SMSStatus{Enabled: true, Counts: map[string]int{"ACTIVE": 2}, SentToday: 3})
	case messages.GetSMSSequences:
		f.last <- m
		c.Respond(messages.SMSSequences{Total: 0, Sequences: []messages.SMSSequence{}})
	case messages.CancelSMS:
		f.last <- m
		if m.Phone != "+15555550123" {
			c.Respond(messages.SMSChanged{})
			return
		}
		c.Respond(messages.SMSChanged{Found: true, Sequence: &messages.SMSSequence{Phone: m.Phone, Status: messages.SMSCancelled}})
	}
}

func TestSMSAdminRoutes(t *testing.T) {
	cfg := config.Default()
	cfg.Admin.APIKey = "k3y"
	r := newRig(t, cfg, &fakeJournal{})
	fake := &fakeSMS{last: make(chan interface{}, 1)}
	r.g.d.SMS = r.system.Root.Spawn(actor.PropsFromProducer(func() actor.Actor { return fake }))
	t.Cleanup(func() { _ = r.system.Root.StopFuture(r.g.d.SMS).Wait() })
	tests := []struct {
		method, path string
		code         int
		asked        interface{}
		body         string
	}{
		{"GET", "/api/admin/sms/status", 200, messages.GetSMSStatus{}, `"sent_today":3`},
		{"GET", "/api/admin/sms/sequences?status=opted_out&limit=10&offset=5", 200,
			messages.GetSMSSequences{Status: messages.SMSOptedOut, Limit: 10, Offset: 5}, `"total":0`},
		{"GET", "/api/admin/sms/sequences?status=paused", 400, nil, `"error":"bad_status"`},
		{"GET", "/api/admin/sms/sequences?limit=0", 400, nil, `"error":"bad_page"`},
		{"POST", "/api/admin/sms/sequences/(555)%20555-0123/cancel", 200, messages.CancelSMS{Phone: "+15555550123"},
			`"status":"CANCELLED"`},
		{"POST", "/api/admin/sms/sequences/5555550999/cancel", 404, messages.CancelSMS{Phone: "+15555550999"}, `"error":"not_found"`},
		{"POST", "/api/admin/sms/sequences/not-a-phone/cancel", 400, nil, `"error":"bad_phone"`},
		{"GET", "/api/admin/sms/sequences/5555550123/cancel", 405, nil, `"error":"method_not_allowed"`},
	}
	for _, tc := range tests {
		req := httptest.NewRequest(tc.method, tc.path, nil)
		req.Header.Set("x-api-key", "k3y")
		w := httptest.NewRecorder()
		r.h.ServeHTTP(w, req)
		if w.Code != tc.code || !json.Valid(w.Body.Bytes()) || !strings.Contains(w.Body.String(), tc.body) {
			t.Errorf("%s %s = %d %s, want %d with %s", tc.method, tc.path, w.Code, w.Body, tc.code, tc.body)
		}
		select {
		case got := <-fake.last:
			if got != tc.asked {
				t.Errorf("%s %s asked %+v, want %+v", tc.method, tc.path, got, tc.asked)
			}
		default:
			if tc.asked != nil {
				t.Errorf("%s %s asked nothing, want %+v", tc.method, tc.path, tc.asked)
			}
		}
	}
}
