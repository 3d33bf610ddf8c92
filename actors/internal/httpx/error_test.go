package httpx

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestErrorMessage(t *testing.T) {
	tests := []struct {
		name string
		err  *Error
		want string
	}{
		{"status and body", &Error{Status: 500, Body: "boom"}, "http 500: boom"},
		{"phone in body masked", &Error{Status: 400, Body: `bad phone_number "+15555550123"`},
			`http 400: bad phone_number "+*******0123"`},
		{"short numbers kept", &Error{Status: 422, Body: "field 12 of 345"}, "http 422: field 12 of 345"},
		{"cause and attempts", &Error{Err: context.Canceled, Attempts: 3}, "context canceled (after 3 attempts)"},
		{"status and cause", &Error{Status: 200, Err: errors.New("rejected")}, "http 200: rejected"},
		{"empty", &Error{}, "request failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestErrorUnwrap(t *testing.T) {
	var err error = &Error{Err: context.DeadlineExceeded}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("errors.Is(%v, DeadlineExceeded) = false", err)
	}
}

func TestSnippet(t *testing.T) {
	long := strings.Repeat("é", 400) // 800 bytes, 2 per rune
	got := Snippet([]byte(long))
	if len(got) > maxSnippet || !strings.HasPrefix(long, got) || len(got) != 512 {
		t.Errorf("Snippet: len %d, prefix %v", len(got), strings.HasPrefix(long, got))
	}
	odd := "x" + long // the 512th byte splits a rune
	if got := Snippet([]byte(odd)); len(got) != 511 {
		t.Errorf("Snippet cut mid-rune: len %d, want 511", len(got))
	}
	if got := Snippet([]byte("  ok \n")); got != "ok" {
		t.Errorf("Snippet(short) = %q", got)
	}
}

func TestErrorMasksCause(t *testing.T) {
	err := &Error{Status: 200, Err: errors.New("lead 5555550123 not found")}
	if got, want := err.Error(), "http 200: lead ******0123 not found"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}
