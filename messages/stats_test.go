package messages

import (
	"strings"
	"testing"
)

func TestStatsRangeDays(t *testing.T) {
	tests := []struct {
		name, start, end string
		first, last      string
		n                int
		problem          string // a word the error must contain
	}{
		{"one day", "2026-06-10", "2026-06-10", "2026-06-10", "2026-06-10", 1, ""},
		{"across the fall-back change", "2026-10-31", "2026-11-03", "2026-10-31", "2026-11-03", 4, ""},
		{"across the spring-forward change", "2026-03-07", "2026-03-09", "2026-03-07", "2026-03-09", 3, ""},
		{"a leap year is 366 days, the most allowed", "2024-01-01", "2024-12-31", "2024-01-01", "2024-12-31", 366, ""},
		{"across a year end", "2025-12-30", "2026-01-02", "2025-12-30", "2026-01-02", 4, ""},
		{"367 days is too long", "2024-01-01", "2025-01-01", "", "", 0, "longer than 366"},
		{"end before start", "2026-06-10", "2026-06-09", "", "", 0, "before start_date"},
		{"bad start", "06/10/2026", "2026-06-10", "", "", 0, "start_date"},
		{"a date that does not exist", "2026-06-10", "2026-06-31", "", "", 0, "end_date"},
		{"empty", "", "", "", "", 0, "start_date"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			days, err := StatsRangeDays(tc.start, tc.end)
			if tc.problem != "" {
				if err == nil || !strings.Contains(err.Error(), tc.problem) {
					t.Fatalf("error = %v, want one mentioning %q", err, tc.problem)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(days) != tc.n || days[0] != tc.first || days[len(days)-1] != tc.last {
				t.Fatalf("got %d days %v .. %v, want %d from %s to %s", len(days), days[0], days[len(days)-1], tc.n, tc.first, tc.last)
			}
			seen := map[string]bool{}
			for i, d := range days {
				if seen[d] || (i > 0 && d <= days[i-1]) {
					t.Fatalf("day %s repeated or out of order in %v", d, days)
				}
				seen[d] = true
			}
		})
	}
}
