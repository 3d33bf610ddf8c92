package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"time"
)

// Validate reports every problem in the configuration at once, each naming
// its key, so an operator fixes a file in one pass.
func (c Config) Validate() error {
	var p problems
	p.addr("http.addr", c.HTTP.Addr, false)
	p.positiveSize("http.max_body", c.HTTP.MaxBody)
	p.positiveSize("http.max_header_bytes", c.HTTP.MaxHeaderBytes)
	p.positive("http.read_header_timeout", c.HTTP.ReadHeaderTimeout)
	p.positive("http.read_timeout", c.HTTP.ReadTimeout)
	p.positive("http.write_timeout", c.HTTP.WriteTimeout)
	p.positive("http.idle_timeout", c.HTTP.IdleTimeout)
	p.positive("http.request_timeout", c.HTTP.RequestTimeout)

	p.oneOf("log.level", c.Log.Level, "debug", "info", "warn", "error")
	p.oneOf("log.format", c.Log.Format, "json", "console")

	p.nonNegative("shutdown.drain", c.Shutdown.Drain)
	p.positive("shutdown.timeout", c.Shutdown.Timeout)
	p.positive("shutdown.child_timeout", c.Shutdown.ChildTimeout)
	if c.Shutdown.Timeout > 0 && c.Shutdown.Drain >= c.Shutdown.Timeout {
		p.add("shutdown.drain", "must be shorter than shutdown.timeout (%s)", c.Shutdown.Timeout)
	}

	if c.Supervision.MaxRestarts < 0 {
		p.add("supervision.max_restarts", "must be >= 0")
	}
	p.positive("supervision.window", c.Supervision.Window)
	p.positive("supervision.backoff_min", c.Supervision.BackoffMin)
	p.positive("supervision.backoff_max", c.Supervision.BackoffMax)
	if c.Supervision.BackoffMax < c.Supervision.BackoffMin {
		p.add("supervision.backoff_max", "must be >= supervision.backoff_min (%s)", c.Supervision.BackoffMin)
	}

	if c.Memory.Limit < 0 {
		p.add("memory.limit", "must be >= 0")
	}
	p.positiveSize("memory.warning_rss", c.Memory.WarningRSS)
	if c.Memory.CriticalRSS <= c.Memory.WarningRSS {
		p.add("memory.critical_rss", "must be above memory.warning_rss (%s)", c.Memory.WarningRSS)
	}

	if c.Data.Dir == "" {
		p.add("data.dir", "required")
	}
	if c.Debug.Addr != "" {
		p.addr("debug.addr", c.Debug.Addr, true)
	}
	p.business(c.Business)
	p.atLeast("calls.max_daily_per_phone", c.Calls.MaxDailyPerPhone, 1)
	p.nonNegative("calls.duplicate_window", c.Calls.DuplicateWindow)
	p.positive("calls.pending_timeout", c.Calls.PendingTimeout)
	p.nonNegative("calls.post_transfer_hold", c.Calls.PostTransferHold)
	p.positive("calls.busy_retry", c.Calls.BusyRetry)
	p.atLeast("queue.max_items", c.Queue.MaxItems, 1)
	p.positive("queue.interval", c.Queue.Interval)
	p.atLeast("queue.batch", c.Queue.Batch, 1)
	p.atLeast("queue.max_tries", c.Queue.MaxTries, 1)
	p.atLeast("queue.max_dead_letters", c.Queue.MaxDeadLetters, 1)
	p.redial(c.Redial)
	p.sms(c.SMS)
	p.atLeast("stats.dedupe_days", c.Stats.DedupeDays, 1)
	p.atLeast("amtracker.max_per_day", c.AMTracker.MaxPerDay, 1)
	if _, ok := clock(c.AMTracker.PruneAt, false); !ok {
		p.add("amtracker.prune_at", "must be HH:MM from 00:00 to 23:59 (got %q)", c.AMTracker.PruneAt)
	}
	for i, o := range c.AMTracker.Tracked {
		if !outcomes[o] {
			p.add(fmt.Sprintf("amtracker.tracked[%d]", i), "unknown outcome %q", o)
		}
	}
	p.atLeast("crm.max_tries", c.CRM.MaxTries, 1)
	p.positive("crm.retry_min", c.CRM.RetryMin)
	p.positive("crm.retry_max", c.CRM.RetryMax)
	if c.CRM.RetryMax < c.CRM.RetryMin {
		p.add("crm.retry_max", "must be >= crm.retry_min (%s)", c.CRM.RetryMin)
	}
	p.atLeast("crm.max_items", c.CRM.MaxItems, 1)
	p.provider("bland", c.Bland.Provider, c.Bland.APIKey, "api_key")
	p.provider("convoso", c.Convoso.Provider, c.Convoso.AuthToken, "auth_token")
	p.positive("bland.max_duration", c.Bland.MaxDuration)
	for i, n := range c.Bland.FromNumbers {
		if !e164(n) {
			p.add(fmt.Sprintf("bland.from_numbers[%d]", i), "must be an E.164 number such as +15555550188 (got %q)", n)
		}
	}

	p.positive("journal.retention", c.Journal.Retention)
	p.positive("journal.dedupe_ttl", c.Journal.DedupeTTL)
	if c.Journal.RecentMax < 1 {
		p.add("journal.recent_max", "must be >= 1")
	}
	p.positiveSize("journal.recent_max_bytes", c.Journal.RecentMaxBytes)
	if c.Journal.MaxPending < 1 {
		p.add("journal.max_pending", "must be >= 1")
	}
	p.positive("journal.retry_after", c.Journal.RetryAfter)
	return errors.Join(p...)
}

type problems []error

func (p *problems) add(key, format string, args ...any) {
	*p = append(*p, fmt.Errorf("%s: %s", key, fmt.Sprintf(format, args...)))
}

func (p *problems) positive(key string, d time.Duration) {
	if d <= 0 {
		p.add(key, "must be a positive duration such as \"30s\" (got %s)", d)
	}
}

func (p *problems) atLeast(key string, n, min int) {
	if n < min {
		p.add(key, "must be >= %d (got %d)", min, n)
	}
}

func (p *problems) nonNegative(key string, d time.Duration) {
	if d < 0 {
		p.add(key, "must be >= 0 (got %s)", d)
	}
}

func (p *problems) positiveSize(key string, b ByteSize) {
	if b <= 0 {
		p.add(key, "must be a positive size such as \"1MiB\" (got %s)", b)
	}
}

func (p *problems) oneOf(key, v string, allowed ...string) {
	for _, a := range allowed {
		if v == a {
			return
		}
	}
	p.add(key, "must be one of %v (got %q)", allowed, v)
}

// addr checks a host:port; loopbackOnly is for listeners that must never be
// reachable from outside the machine (pprof).
func (p *problems) addr(key, v string, loopbackOnly bool) {
	host, port, err := net.SplitHostPort(v)
	if err != nil {
		p.add(key, "must be host:port (got %q)", v)
		return
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		p.add(key, "port must be 0-65535 (got %q)", port)
	}
	if !loopbackOnly {
		return
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		p.add(key, "must be a loopback address such as 127.0.0.1:6060 (got %q)", v)
	}
}

var weekdays = map[string]bool{"mon": true, "tue": true, "wed": true, "thu": true, "fri": true, "sat": true, "sun": true}

func (p *problems) business(b Business) {
	if _, err := time.LoadLocation(b.Timezone); err != nil || b.Timezone == "" {
		p.add("business.timezone", "unknown time zone %q", b.Timezone)
	}
	for _, d := range b.Days {
		if !weekdays[d] {
			p.add("business.days", "unknown day %q (use mon, tue, wed, thu, fri, sat, sun)", d)
		}
	}
	open, okOpen := clock(b.Open, false)
	if !okOpen {
		p.add("business.open", "must be HH:MM from 00:00 to 23:59 (got %q)", b.Open)
	}
	close, okClose := clock(b.Close, true)
	if !okClose {
		p.add("business.close", "must be HH:MM from 00:01 to 24:00 (got %q)", b.Close)
	}
	if okOpen && okClose && close <= open {
		p.add("business.close", "must be after business.open (%s)", b.Open)
	}
	for i, d := range b.BlackoutDates {
		if _, err := time.Parse(time.DateOnly, d); err != nil {
			p.add(fmt.Sprintf("business.blackout_dates[%d]", i), "must be YYYY-MM-DD (got %q)", d)
		}
	}
}

// clock parses HH:MM into minutes after midnight; "24:00" only as a close.
func clock(s string, isClose bool) (int, bool) {
	if len(s) != 5 || s[2] != ':' {
		return 0, false
	}
	h, err1 := strconv.Atoi(s[:2])
	m, err2 := strconv.Atoi(s[3:])
	if err1 != nil || err2 != nil || m < 0 || m > 59 || h < 0 {
		return 0, false
	}
	if isClose && h == 24 && m == 0 {
		return 24 * 60, true
	}
	return h*60 + m, h <= 23
}

func (p *problems) provider(name string, pr Provider, secret Secret, secretKey string) {
	switch pr.Mode {
	case "dry-run":
	case "live":
		if !secret.IsSet() {
			p.add(name+"."+secretKey, "required when %s.mode is live", name)
		}
	default:
		p.add(name+".mode", "must be dry-run or live (got %q)", pr.Mode)
	}
	if u, err := url.Parse(pr.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		p.add(name+".base_url", "must be an http(s) URL (got %q)", pr.BaseURL)
	}
	p.positive(name+".timeout", pr.Timeout)
	if pr.RatePerSecond <= 0 {
		p.add(name+".rate_per_second", "must be > 0 (got %v)", pr.RatePerSecond)
	}
	if pr.Burst < 1 {
		p.add(name+".burst", "must be >= 1 (got %d)", pr.Burst)
	}
	if pr.MaxRetries < 0 {
		p.add(name+".max_retries", "must be >= 0 (got %d)", pr.MaxRetries)
	}
	p.positive(name+".retry_backoff", pr.RetryBackoff)
}

// e164 reports whether s is "+" and 8 to 15 digits.
func e164(s string) bool {
	if len(s) < 9 || len(s) > 16 || s[0] != '+' {
		return false
	}
	for _, c := range s[1:] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// outcomes are the call outcomes of DOMAIN.md (config cannot import messages).
var outcomes = map[string]bool{"TRANSFERRED": true, "VOICEMAIL": true, "CALLBACK": true, "SALE": true, "CONFUSED": true,
	"NOT_INTERESTED": true, "NO_ANSWER": true, "BUSY": true, "FAILED": true}

func (p *problems) redial(r Redial) {
	if len(r.Intervals) == 0 {
		p.add("redial.intervals", "needs at least one gap")
	}
	for i, d := range r.Intervals {
		if d < 0 {
			p.add(fmt.Sprintf("redial.intervals[%d]", i), "must be >= 0 (got %s)", d)
		}
	}
	p.positive("redial.min_gap", r.MinGap)
	p.nonNegative("redial.jitter_min", r.JitterMin)
	if r.JitterMax < r.JitterMin {
		p.add("redial.jitter_max", "must be >= redial.jitter_min (%s)", r.JitterMin)
	}
	if len(r.DailySchedule) == 0 {
		p.add("redial.daily_schedule", "needs at least one day")
	}
	for i, n := range r.DailySchedule {
		if n < 0 {
			p.add(fmt.Sprintf("redial.daily_schedule[%d]", i), "must be >= 0 (got %d)", n)
		}
	}
	p.atLeast("redial.max_attempts", r.MaxAttempts, 1)
	p.positive("redial.max_age", r.MaxAge)
	for i, o := range r.StopOutcomes {
		if !outcomes[o] && o != "DNC" {
			p.add(fmt.Sprintf("redial.stop_outcomes[%d]", i), "unknown outcome %q", o)
		}
	}
	p.positive("redial.process_interval", r.ProcessInterval)
	p.nonNegative("redial.reopen_after", r.ReopenAfter)
	p.atLeast("redial.max_in_flight", r.MaxInFlight, 1)
	p.atLeast("redial.max_records", r.MaxRecords, 1)
}

func (p *problems) sms(s SMS) {
	for i, o := range s.Triggers {
		if !outcomes[o] {
			p.add(fmt.Sprintf("sms.triggers[%d]", i), "unknown outcome %q", o)
		}
	}
	p.positive("sms.interval", s.Interval)
	if len(s.Templates) == 0 {
		p.add("sms.templates", "needs at least one template")
	}
	if len(s.DayGaps) != len(s.Templates) {
		p.add("sms.day_gaps", "needs one gap per template (%d gaps, %d templates)", len(s.DayGaps), len(s.Templates))
	}
	for i, g := range s.DayGaps {
		if g < 0 || (i > 0 && g < s.DayGaps[i-1]) {
			p.add(fmt.Sprintf("sms.day_gaps[%d]", i), "must be >= 0 and not less than the gap before it (got %d)", g)
		}
	}
	if len(s.Days) == 0 {
		p.add("sms.days", "needs at least one weekday")
	}
	for i, d := range s.Days {
		if !weekdays[d] {
			p.add(fmt.Sprintf("sms.days[%d]", i), "unknown weekday %q (use sun..sat)", d)
		}
	}
	if s.StartHour < 0 || s.StartHour > 23 {
		p.add("sms.start_hour", "must be 0..23 (got %d)", s.StartHour)
	}
	if s.EndHour <= s.StartHour || s.EndHour > 24 {
		p.add("sms.end_hour", "must be after sms.start_hour and at most 24 (got %d)", s.EndHour)
	}
	p.atLeast("sms.max_per_day", s.MaxPerDay, 1)
	if s.FromNumber != "" && !e164(s.FromNumber) {
		p.add("sms.from_number", "must be an E.164 phone such as +15555550100 (got %q)", s.FromNumber)
	}
	p.nonNegative("sms.callback_delay", s.CallbackDelay)
	p.positive("sms.retry_interval", s.RetryInterval)
	p.atLeast("sms.max_sequences", s.MaxSequences, 1)
}
