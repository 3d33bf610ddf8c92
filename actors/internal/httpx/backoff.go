package httpx

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

const (
	// maxBackoff caps the doubling so a large MaxRetries never waits for minutes.
	maxBackoff = 30 * time.Second
	// maxRetryWait is the longest Retry-After honoured in place; a longer one
	// is returned to the caller (Error.RetryAfter) rather than holding its goroutine.
	maxRetryWait = time.Minute
)

// backoff is the wait before retry number attempt (1-based): base doubled per
// attempt, capped, with "equal jitter" — between half and all of it, frac in
// [0, 1) choosing where — so clients that failed together do not retry together.
func backoff(base time.Duration, attempt int, frac float64) time.Duration {
	if base <= 0 || attempt < 1 {
		return 0
	}
	d := base
	for i := 1; i < attempt && d < maxBackoff; i++ {
		d *= 2
	}
	d = min(d, maxBackoff)
	half := d / 2
	return half + time.Duration(frac*float64(d-half))
}

// parseRetryAfter reads a Retry-After header: delay-seconds or an HTTP date.
// ok is false when the header is absent or unreadable; a date in the past is 0.
func parseRetryAfter(v string, now time.Time) (d time.Duration, ok bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		// Clamp before multiplying: a huge value must not overflow into a negative wait.
		return time.Duration(min(secs, int64(24*time.Hour/time.Second))) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(t.Sub(now), 0), true
}
