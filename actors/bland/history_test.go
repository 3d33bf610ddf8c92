package bland

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/zap/zaptest"

	"orchestrator/actors/internal/httpx/httpxtest"
)

const (
	lead = "+15555550123"
	ours = "+15555550999"
)

// listOf is a conversation list answer with one conversation per id.
func listOf(ids ...string) string {
	var cs []string
	for _, id := range ids {
		cs = append(cs, fmt.Sprintf(`{"id":%q,"user_number":%q,"agent_number":%q,"message_count":2}`, id, lead, ours))
	}
	return `{"data":[` + strings.Join(cs, ",") + `],"errors":null,"extra":{"pagination":{"totalPages":1}}}`
}

// Bland's own example: created_at with milliseconds, sender AGENT or USER.
const convo = `{"data":{"id":"convo_1","user_number":"+15555550123","messages":[
	{"id":100001,"created_at":"2026-03-02T15:00:00.000Z","message":"Hi Jane","from":"+15555550999","to":"+15555550123","sender":"AGENT","status":"delivered"},
	{"id":100002,"created_at":"2026-03-02T15:05:00.000Z","message":"who is this?","from":"+15555550123","to":"+15555550999","sender":"USER"}
]},"errors":null}`

func TestSMSHistoryFound(t *testing.T) {
	srv := httpxtest.New(t, httpxtest.Reply{Body: listOf("convo_1")}, httpxtest.Reply{Body: convo})
	got, err := New(liveConfig(srv.URL), zaptest.NewLogger(t), nil).SMSHistory(t.Context(), lead)
	if err != nil {
		t.Fatal(err)
	}
	want := SMSHistory{Texts: []Text{
		{ID: "100001", Body: "Hi Jane", From: ours, To: lead, At: time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)},
		{ID: "100002", Body: "who is this?", From: lead, To: ours, Inbound: true, At: time.Date(2026, 3, 2, 15, 5, 0, 0, time.UTC)},
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("history (-want +got):\n%s", diff)
	}
	reqs := srv.Requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want the list and one conversation", len(reqs))
	}
	list, one := reqs[0], reqs[1]
	if list.Method != http.MethodGet || list.Path != "/v1/sms/conversations" || list.Header.Get("Authorization") != "Bearer "+testKey {
		t.Errorf("list request = %s %s, Authorization %q", list.Method, list.Path, list.Header.Get("Authorization"))
	}
	q, _ := url.ParseQuery(list.Query)
	var filters []map[string]string
	if err := json.Unmarshal([]byte(q.Get("filters")), &filters); err != nil ||
		!cmp.Equal(filters, []map[string]string{{"field": "user_number", "operator": "eq", "value": lead}}) {
		t.Errorf("filters = %q, want user_number eq the phone", q.Get("filters"))
	}
	if one.Method != http.MethodGet || one.Path != "/v1/sms/conversations/convo_1" {
		t.Errorf("conversation request = %s %s", one.Method, one.Path)
	}
}

func TestSMSHistoryAnswers(t *testing.T) {
	tests := []struct {
		name      string
		script    []httpxtest.Reply
		wantTexts []string // bodies
	}{
		{"no conversation", []httpxtest.Reply{{Body: `{"data":[],"errors":null}`}}, nil},
		{"a conversation without our text", []httpxtest.Reply{{Body: listOf("c1")},
			{Body: `{"data":{"messages":[{"message":"STOP","sender":"USER"}]}}`}}, []string{"STOP"}},
		{"an empty conversation", []httpxtest.Reply{{Body: listOf("c1")}, {Body: `{"data":{"messages":[]}}`}}, nil},
		{"texts inline, other names", []httpxtest.Reply{{Body: `{"conversations":[{"id":7,"user_number":"(555) 555-0123",` +
			`"messages":[{"body":"Hi","direction":"outbound","timestamp":"2026-03-02 15:00:00+00"}]}]}`}}, []string{"Hi"}},
		{"list nested under data", []httpxtest.Reply{{Body: `{"data":{"conversations":[{"id":"c1"}]}}`},
			{Body: `{"messages":[{"text":"Hello"}]}`}}, []string{"Hello"}},
		{"another phone's conversation is skipped", []httpxtest.Reply{{Body: `{"data":[{"id":"x","user_number":"+15555550777"}]}`}}, nil},
		{"two conversations", []httpxtest.Reply{{Body: listOf("c1", "c2")},
			{Body: `{"data":{"messages":[{"message":"one"}]}}`}, {Body: `{"data":{"messages":[{"message":"two"}]}}`}},
			[]string{"one", "two"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httpxtest.New(t, tt.script...)
			got, err := New(liveConfig(srv.URL), zaptest.NewLogger(t), nil).SMSHistory(t.Context(), lead)
			if err != nil {
				t.Fatal(err)
			}
			var bodies []string
			for _, tx := range got.Texts {
				bodies = append(bodies, tx.Body)
			}
			if diff := cmp.Diff(tt.wantTexts, bodies); diff != "" || got.DryRun {
				t.Errorf("texts (-want +got):\n%s", diff)
			}
			if n := srv.Count(); n != len(tt.script) {
				t.Errorf("%d requests, want %d", n, len(tt.script))
			}
		})
	}
}

// An answer the client cannot read in full is an error, never an empty
// history: a text missing from a partial history may still have been sent.
func TestSMSHistoryFailures(t *testing.T) {
	full := pageIDs("c")
	tests := []struct {
		name       string
		script     []httpxtest.Reply
		unexpected bool
		says       string // in the error, when set
	}{
		{"provider error", []httpxtest.Reply{{Status: 500, Body: "boom"}}, false, ""},
		{"refused", []httpxtest.Reply{{Status: 401}}, false, ""},
		{"not JSON", []httpxtest.Reply{{Body: `<html>`}}, true, ""},
		{"no list", []httpxtest.Reply{{Body: `{"data":null,"errors":null}`}}, true, ""},
		{"errors", []httpxtest.Reply{{Body: `{"data":[],"errors":[{"message":"bad filter"}]}`}}, true, ""},
		// The script's last answer repeats: a provider ignoring the page.
		{"a full page, then the same again", []httpxtest.Reply{{Body: `{"data":[` + inlineList(full) + `]}`}}, true, "listed twice"},
		{"page 2 of 2 is page 1 again", []httpxtest.Reply{{Body: `{"data":[{"id":"c1","messages":[]}],"extra":{"pagination":{"totalPages":2}}}`}}, true, "listed twice"},
		{"more pages than are read", endless(), true, fmt.Sprintf("more than %d pages", historyPages)},
		{"conversation without messages", []httpxtest.Reply{{Body: listOf("c1")}, {Body: `{"data":{"id":"c1"}}`}}, true, ""},
		{"conversation gone", []httpxtest.Reply{{Body: listOf("c1")}, {Status: 404}}, false, ""},
		{"conversation without an id", []httpxtest.Reply{{Body: `{"data":[{"user_number":"+15555550123"}]}`}}, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httpxtest.New(t, tt.script...)
			got, err := New(liveConfig(srv.URL), zaptest.NewLogger(t), nil).SMSHistory(t.Context(), lead)
			var e *Error
			if !errors.As(err, &e) || !strings.HasPrefix(err.Error(), "bland: sms history: ") {
				t.Fatalf("SMSHistory = %+v, %v; want a bland: sms history: *Error", got, err)
			}
			if errors.Is(err, ErrUnexpectedAnswer) != tt.unexpected {
				t.Errorf("errors.Is(%v, ErrUnexpectedAnswer) = %v, want %v", err, !tt.unexpected, tt.unexpected)
			}
			if !strings.Contains(err.Error(), tt.says) {
				t.Errorf("error %q does not say %q", err, tt.says)
			}
		})
	}
}

// pageIDs is a full page of conversation ids.
func pageIDs(prefix string) []string {
	ids := make([]string, historyPage)
	for i := range ids {
		ids[i] = fmt.Sprint(prefix, i)
	}
	return ids
}

// inlineList is conversations with these ids, their texts inline.
func inlineList(ids []string) string {
	var cs []string
	for _, id := range ids {
		cs = append(cs, fmt.Sprintf(`{"id":%q,"user_number":%q,"messages":[{"message":%q}]}`, id, lead, "text of "+id))
	}
	return strings.Join(cs, ",")
}

// endless is a list that says it goes on past historyPages, each page new.
func endless() []httpxtest.Reply {
	var script []httpxtest.Reply
	for p := range historyPages + 1 {
		script = append(script, httpxtest.Reply{Body: fmt.Sprintf(`{"data":[%s],"extra":{"pagination":{"totalPages":%d}}}`,
			inlineList([]string{fmt.Sprint("p", p)}), historyPages+5)})
	}
	return script
}

// A phone with more conversations than one page holds has its history read
// page by page: by the page count when the answer gives one, else until a
// page is not full.
func TestSMSHistoryReadsEveryPage(t *testing.T) {
	full := pageIDs("a")
	tests := []struct {
		name   string
		script []httpxtest.Reply
		texts  int
	}{
		{"page count", []httpxtest.Reply{
			{Body: `{"data":[` + inlineList([]string{"c1"}) + `],"extra":{"pagination":{"totalPages":3}}}`},
			{Body: `{"data":[` + inlineList([]string{"c2"}) + `],"extra":{"pagination":{"totalPages":3}}}`},
			{Body: `{"data":[` + inlineList([]string{"c3"}) + `],"extra":{"pagination":{"totalPages":3}}}`},
		}, 3},
		{"no page count: a full page, then one that is not", []httpxtest.Reply{
			{Body: `{"data":[` + inlineList(full) + `]}`},
			{Body: `{"data":[` + inlineList([]string{"b1", "b2"}) + `]}`},
		}, historyPage + 2},
		{"no page count: a full page, then an empty one", []httpxtest.Reply{
			{Body: `{"data":[` + inlineList(full) + `]}`}, {Body: `{"data":[]}`},
		}, historyPage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httpxtest.New(t, tt.script...)
			got, err := New(liveConfig(srv.URL), zaptest.NewLogger(t), nil).SMSHistory(t.Context(), lead)
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Texts) != tt.texts {
				t.Errorf("%d texts, want %d", len(got.Texts), tt.texts)
			}
			reqs := srv.Requests()
			if len(reqs) != len(tt.script) {
				t.Fatalf("%d requests, want one per page (%d)", len(reqs), len(tt.script))
			}
			for i, r := range reqs {
				q, _ := url.ParseQuery(r.Query)
				if r.Path != "/v1/sms/conversations" || q.Get("page") != fmt.Sprint(i+1) || q.Get("pageSize") != fmt.Sprint(historyPage) {
					t.Errorf("request %d = %s page=%q pageSize=%q, want the list's page %d", i, r.Path, q.Get("page"), q.Get("pageSize"), i+1)
				}
			}
		})
	}
}

func TestSMSHistoryDryRun(t *testing.T) {
	srv := httpxtest.New(t)
	cfg := liveConfig(srv.URL)
	cfg.Mode = "dry-run"
	got, err := New(cfg, zaptest.NewLogger(t), nil).SMSHistory(t.Context(), lead)
	if err != nil || !got.DryRun || len(got.Texts) != 0 {
		t.Errorf("dry-run SMSHistory = %+v, %v; want DryRun and no texts", got, err)
	}
	if n := srv.Count(); n != 0 {
		t.Errorf("dry-run sent %d requests, want 0", n)
	}
}
