package httpx

import (
	"net/http"
	"testing"
	"time"
)

func TestBackoff(t *testing.T) {
	tests := []struct {
		name    string
		base    time.Duration
		attempt int
		frac    float64
		want    time.Duration
	}{
		{"first retry, no jitter", 100 * time.Millisecond, 1, 0, 50 * time.Millisecond},
		{"first retry, half jitter", 100 * time.Millisecond, 1, 0.5, 75 * time.Millisecond},
		{"doubles", 100 * time.Millisecond, 3, 0, 200 * time.Millisecond},
		{"capped", time.Second, 20, 0, maxBackoff / 2},
		{"no base", 0, 3, 0.5, 0},
		{"no attempt", time.Second, 0, 0.5, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := backoff(tt.base, tt.attempt, tt.frac); got != tt.want {
				t.Errorf("backoff(%v, %d, %v) = %v, want %v", tt.base, tt.attempt, tt.frac, got, tt.want)
			}
		})
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2025, 3, 4, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		in     string
		want   time.Duration
		wantOK bool
	}{
		{"absent", "", 0, false},
		{"zero", "0", 0, true},
		{"seconds", " 7 ", 7 * time.Second, true},
		{"negative", "-1", 0, false},
		{"huge is clamped", "99999999999999", 24 * time.Hour, true},
		{"date", now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{"past date", now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{"garbage", "soon", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := parseRetryAfter(tt.in, now)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("parseRetryAfter(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}
