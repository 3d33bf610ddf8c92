package httpx

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// maxSnippet bounds Error.Body so a provider's HTML error page never floods a log line.
const maxSnippet = 512

// Error is a failed outbound request. Callers tell failures apart with
// errors.As and its fields, and reach the cause (context.Canceled,
// context.DeadlineExceeded, a *net.OpError, a package sentinel) with errors.Is.
type Error struct {
	// Status is the HTTP status of the last answer, 0 when none arrived.
	Status int
	// Retryable reports that the request certainly had no effect (it never
	// reached the server, or was refused with 429/503), so sending it again
	// cannot duplicate a call, an SMS or an update.
	Retryable bool
	// Body is the start of the answer (at most 512 bytes), for diagnosis.
	Body string
	// Attempts is how many requests were tried, 0 when none was sent.
	Attempts int
	// RetryAfter is the server's Retry-After when it asked for a longer wait
	// than this package waits by itself; the caller's own timer should honour it.
	RetryAfter time.Duration
	// Err is the cause: a transport error, a context error or a sentinel.
	Err error
}

// Error renders the status or cause and the body snippet, with long digit runs
// (phone numbers, which providers echo) masked so the message is safe to log.
func (e *Error) Error() string {
	var b strings.Builder
	switch {
	case e.Status != 0 && e.Err != nil:
		fmt.Fprintf(&b, "http %d: %v", e.Status, e.Err)
	case e.Status != 0:
		fmt.Fprintf(&b, "http %d", e.Status)
	case e.Err != nil:
		b.WriteString(e.Err.Error())
	default:
		b.WriteString("request failed")
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " (after %d attempts)", e.Attempts)
	}
	if e.Body != "" {
		b.WriteString(": ")
		b.WriteString(e.Body)
	}
	return maskDigits(b.String())
}

// Unwrap gives errors.Is and errors.As the cause.
func (e *Error) Unwrap() error { return e.Err }

// Snippet returns the start of b, at most 512 bytes, cut on a rune boundary.
func Snippet(b []byte) string {
	if len(b) > maxSnippet {
		b = b[:maxSnippet]
		for len(b) > 0 && !utf8.Valid(b) {
			b = b[:len(b)-1]
		}
	}
	return strings.TrimSpace(string(b))
}

// maskDigits hides all but the last 4 digits of every run of 7 or more, the
// shape of a phone number, as DESIGN §6 wants phones in logs.
func maskDigits(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		j := i
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j == i {
			b.WriteByte(s[i])
			i++
			continue
		}
		if run := j - i; run >= 7 {
			b.WriteString(strings.Repeat("*", run-4))
			b.WriteString(s[j-4 : j])
		} else {
			b.WriteString(s[i:j])
		}
		i = j
	}
	return b.String()
}
