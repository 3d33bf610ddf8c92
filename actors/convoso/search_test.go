package convoso

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"go.uber.org/zap/zaptest"

	"orchestrator/actors/internal/httpx/httpxtest"
	"orchestrator/messages"
)

func TestSearchLeadsRequest(t *testing.T) {
	tests := []struct {
		phone messages.Phone
		want  string
	}{
		{"+15555550123", "5555550123"},
		{"+442071838750", "442071838750"},
	}
	for _, tt := range tests {
		t.Run(string(tt.phone), func(t *testing.T) {
			srv := httpxtest.New(t, httpxtest.Reply{Body: `{"success":true,"data":{"entries":[]}}`})
			leads, err := New(liveConfig(srv.URL), zaptest.NewLogger(t), nil).SearchLeads(t.Context(), tt.phone)
			if err != nil || len(leads) != 0 {
				t.Fatalf("SearchLeads = %v, %v; want none", leads, err)
			}
			r := srv.Requests()[0]
			if r.Method != http.MethodPost || r.Path != "/v1/leads/search" || r.Query != "" {
				t.Errorf("request line = %s %s?%s", r.Method, r.Path, r.Query)
			}
			want := url.Values{"auth_token": {testToken}, "phone_number": {tt.want}}
			if diff := cmp.Diff(want, form(t, r.Body)); diff != "" {
				t.Errorf("form (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSearchLeadsParsing(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []messages.Lead
	}{
		{"numeric ids", `{"success":true,"data":{"offset":0,"total":"1","entries":[
			{"id":900123,"list_id":4242,"phone_number":"5555550123","first_name":"Jane","last_name":"Testlead",
			 "state":"FL","status":"NEW","email":null,"age":41,"source":"web","nested":{"a":1}}]}}`,
			[]messages.Lead{{LeadID: "900123", ListID: "4242", Phone: "+15555550123", FirstName: "Jane",
				LastName: "Testlead", State: "FL", Status: "NEW", Age: "41", Extra: map[string]string{"source": "web"}}}},
		{"string ids, bad phone falls back, no-id entry skipped", `{"success":"true","data":{"entries":[
			{"id":"7","list_id":"8","phone_number":"n/a"},{"first_name":"NoId"}]}}`,
			[]messages.Lead{{LeadID: "7", ListID: "8", Phone: "+15555550123"}}},
		{"data as a list", `{"success":true,"data":[{"lead_id":"9"}]}`,
			[]messages.Lead{{LeadID: "9", Phone: "+15555550123"}}},
		{"no data", `{"success":true}`, []messages.Lead{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httpxtest.New(t, httpxtest.Reply{Body: tt.body})
			got, err := New(liveConfig(srv.URL), zaptest.NewLogger(t), nil).SearchLeads(t.Context(), "+15555550123")
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("leads (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSearchLeadsFailures(t *testing.T) {
	tests := []struct {
		name   string
		reply  httpxtest.Reply
		wantIs error
	}{
		{"success false", httpxtest.Reply{Body: `{"success":false,"error":"Invalid auth token"}`}, ErrRejected},
		{"400", httpxtest.Reply{Status: 400, Body: `{"success":false}`}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httpxtest.New(t, tt.reply)
			_, err := New(liveConfig(srv.URL), zaptest.NewLogger(t), nil).SearchLeads(t.Context(), "+15555550123")
			var e *Error
			if !errors.As(err, &e) || e.Retryable || srv.Count() != 1 {
				t.Fatalf("SearchLeads error = %v after %d requests, want one non-retryable *Error", err, srv.Count())
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("errors.Is(%v, %v) = false", err, tt.wantIs)
			}
		})
	}
}

func TestSearchLeadsDryRunAndCancel(t *testing.T) {
	srv := httpxtest.New(t)
	cfg := liveConfig(srv.URL)
	cfg.Mode = "dry-run"
	leads, err := New(cfg, zaptest.NewLogger(t), nil).SearchLeads(t.Context(), "+15555550123")
	if err != nil || len(leads) != 0 {
		t.Errorf("dry-run SearchLeads = %v, %v; want none", leads, err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := New(liveConfig(srv.URL), zaptest.NewLogger(t), nil).SearchLeads(ctx, "+15555550123"); !errors.Is(err, context.Canceled) {
		t.Errorf("SearchLeads on a done context = %v, want context.Canceled", err)
	}
	if n := srv.Count(); n != 0 {
		t.Errorf("sent %d requests, want 0", n)
	}
}
