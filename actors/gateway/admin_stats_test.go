package gateway

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/asynkron/protoactor-go/actor"

	"orchestrator/config"
	"orchestrator/messages"
)

// fakeStats answers the statistics queries with one voicemail a day and
// records what it was asked.
type fakeStats struct {
	mu    sync.Mutex
	asked []interface{}
}

func (f *fakeStats) Receive(c actor.Context) {
	one := messages.CallStats{StatsCounts: messages.StatsCounts{TotalCalls: 1, CompletedCalls: 1, VoicemailCalls: 1}, SuccessRate: 100}
	switch m := c.Message().(type) {
	case messages.GetDayStats:
		f.record(m)
		c.Respond(messages.DayStatsResult{Stats: messages.DayStats{Date: "2026-06-10", CallStats: one}})
	case messages.GetStatsRange:
		f.record(m)
		c.Respond(messages.StatsRange{StartDate: m.Start, EndDate: m.End,
			Days: []messages.DayStats{{Date: m.Start, CallStats: one}, {Date: m.End, CallStats: one}}})
	case messages.GetAllTimeStats:
		f.record(m)
		c.Respond(messages.AllTimeStats{FirstDate: "2026-06-09", LastDate: "2026-06-10", Days: 2, CallStats: one})
	}
}

func (f *fakeStats) record(m interface{}) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.asked = append(f.asked, m)
}

func (f *fakeStats) last() interface{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.asked) == 0 {
		return nil
	}
	return f.asked[len(f.asked)-1]
}

func TestStatisticsRoutes(t *testing.T) {
	cfg := config.Default()
	cfg.Admin.APIKey = "k3y"
	r := newRig(t, cfg, &fakeJournal{})
	fake := &fakeStats{}
	r.g.d.Stats = r.system.Root.Spawn(actor.PropsFromProducer(func() actor.Actor { return fake }))
	t.Cleanup(func() { _ = r.system.Root.StopFuture(r.g.d.Stats).Wait() })

	tests := []struct {
		name  string
		path  string
		code  int
		asked interface{} // what the stats actor must have been asked; nil: nothing
		body  []string    // substrings of the answer
	}{
		{"today is the actor's today", "/api/admin/statistics/today", 200, messages.GetDayStats{},
			[]string{`"success":true`, `"timestamp":`, `"statistics":{"date":"2026-06-10","total_calls":1,`, `"success_rate":100`}},
		{"a date", "/api/admin/statistics/date/2026-06-10", 200, messages.GetDayStats{Date: "2026-06-10"},
			[]string{`"statistics":{"date":"2026-06-10"`}},
		{"a date that does not exist", "/api/admin/statistics/date/2026-02-30", 400, nil,
			[]string{`"error":"bad_date"`, `2026-02-30`}},
		{"a range", "/api/admin/statistics/range?start_date=2026-06-09&end_date=2026-06-10", 200,
			messages.GetStatsRange{Start: "2026-06-09", End: "2026-06-10"},
			[]string{`"start_date":"2026-06-09"`, `"end_date":"2026-06-10"`, `"days":[{"date":"2026-06-09"`, `"totals":{`}},
		{"a range without its end", "/api/admin/statistics/range?start_date=2026-06-09", 400, nil,
			[]string{`"error":"missing_dates"`, `end_date`}},
		{"a range ending before it starts", "/api/admin/statistics/range?start_date=2026-06-10&end_date=2026-06-09", 400, nil,
			[]string{`"error":"bad_range"`, `before start_date`}},
		{"a range over 366 days", "/api/admin/statistics/range?start_date=2024-01-01&end_date=2025-06-01", 400, nil,
			[]string{`"error":"bad_range"`, `longer than 366 days`}},
		{"a range with a bad date", "/api/admin/statistics/range?start_date=yesterday&end_date=2026-06-09", 400, nil,
			[]string{`start_date must be a date YYYY-MM-DD`}},
		{"all time", "/api/admin/statistics/all-time", 200, messages.GetAllTimeStats{},
			[]string{`"statistics":{"first_date":"2026-06-09","last_date":"2026-06-10","days":2,"total_calls":1`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := fake.last()
			req := httptest.NewRequest(http.MethodGet, tc.path, nil)
			req.Header.Set("x-api-key", "k3y")
			w := httptest.NewRecorder()
			r.h.ServeHTTP(w, req)
			if w.Code != tc.code {
				t.Fatalf("GET %s = %d %s, want %d", tc.path, w.Code, w.Body, tc.code)
			}
			if !json.Valid(w.Body.Bytes()) {
				t.Fatalf("not JSON: %s", w.Body)
			}
			for _, s := range tc.body {
				if !strings.Contains(w.Body.String(), s) {
					t.Errorf("answer lacks %s: %s", s, w.Body)
				}
			}
			switch got := fake.last(); {
			case tc.asked == nil && got != before:
				t.Errorf("the stats actor was asked %+v for a bad request", got)
			case tc.asked != nil && got != tc.asked:
				t.Errorf("the stats actor was asked %+v, want %+v", got, tc.asked)
			}
		})
	}

	req := httptest.NewRequest(http.MethodGet, "/api/admin/statistics/today", nil)
	w := httptest.NewRecorder()
	r.h.ServeHTTP(w, req)
	if w.Code != http.StatusUnauthorized {
		t.Errorf("statistics without a key = %d, want 401", w.Code)
	}
}
