package config

import (
	"errors"
	"fmt"
	"net"
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
	if _, err := time.LoadLocation(c.Business.Timezone); err != nil || c.Business.Timezone == "" {
		p.add("business.timezone", "unknown time zone %q", c.Business.Timezone)
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
