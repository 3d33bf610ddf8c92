package supervision

import "time"

// Backoff is the delay before restart number attempt (1-based, counted within
// the restart window): min doubled per attempt, capped at max, with jitter
// taking it anywhere in the upper half so a crash loop in two services does
// not restart them in lockstep. jitter is in [0,1). Never below min.
func Backoff(attempt int, min, max time.Duration, jitter float64) time.Duration {
	d := min
	for i := 1; i < attempt && d < max; i++ {
		d *= 2
	}
	if d > max {
		d = max
	}
	d = d/2 + time.Duration(jitter*float64(d/2))
	if d < min {
		d = min
	}
	return d
}
