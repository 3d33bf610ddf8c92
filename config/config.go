// Package config holds the daemon's one typed configuration: defaults, loading
// (YAML file, environment, flags) and validation. Nothing else reads env or files.
package config

import "time"

// Config is the whole daemon configuration, one section per component.
type Config struct {
	HTTP        HTTP        `yaml:"http"`
	Log         Log         `yaml:"log"`
	Shutdown    Shutdown    `yaml:"shutdown"`
	Supervision Supervision `yaml:"supervision"`
	Memory      Memory      `yaml:"memory"`
	Data        Data        `yaml:"data"`
	Debug       Debug       `yaml:"debug"`
	Admin       Admin       `yaml:"admin"`
	Business    Business    `yaml:"business"`
	Journal     Journal     `yaml:"journal"`
	Webhooks    Webhooks    `yaml:"webhooks"`
	Bland       Bland       `yaml:"bland"`
	Convoso     Convoso     `yaml:"convoso"`
	Blocklist   Blocklist   `yaml:"blocklist"`
	Calls       Calls       `yaml:"calls"`
	Queue       Queue       `yaml:"queue"`
	CRM         CRM         `yaml:"crm"`
	AMTracker   AMTracker   `yaml:"amtracker"`
	Redial      Redial      `yaml:"redial"`
	SMS         SMS         `yaml:"sms"`
	Stats       Stats       `yaml:"stats"`
}

// SMS configures the SMS drip and the handling of replies.
type SMS struct {
	Enabled  bool          `yaml:"enabled" json:"enabled"`
	Triggers []string      `yaml:"triggers" json:"triggers"` // outcomes that start a sequence
	Interval time.Duration `yaml:"interval" json:"interval"` // the sender's tick
	// DayGaps[N] is how many calendar days after the anchor message N is due;
	// one entry per template.
	DayGaps   []int    `yaml:"day_gaps" json:"day_gaps"`
	Days      []string `yaml:"days" json:"days"`             // weekdays a text may be sent, in the lead's zone
	StartHour int      `yaml:"start_hour" json:"start_hour"` // first hour (inclusive) in the lead's zone
	EndHour   int      `yaml:"end_hour" json:"end_hour"`     // last hour (exclusive) in the lead's zone
	MaxPerDay int      `yaml:"max_per_day" json:"max_per_day"`
	// Templates are the messages in order; {{first_name}} and {{last_name}} are filled in.
	Templates []string `yaml:"templates" json:"templates"`
	// FromNumber is the number texts are sent from; empty: the first of bland.from_numbers.
	FromNumber string `yaml:"from_number" json:"from_number"`
	// CallbackDelay is how long after a "call me" reply the call-back is asked for.
	CallbackDelay time.Duration `yaml:"callback_delay" json:"callback_delay"`
	// RetryInterval is how often an opt-out step that failed is tried again.
	RetryInterval time.Duration `yaml:"retry_interval" json:"retry_interval"`
	// MaxSequences bounds the sequences kept; past it the oldest finished go.
	MaxSequences int `yaml:"max_sequences" json:"max_sequences"`
}

// Stats configures the statistics.
type Stats struct {
	// DedupeDays is how many business days of call ids are remembered so a
	// completion replayed or repeated is counted once.
	DedupeDays int `yaml:"dedupe_days" json:"dedupe_days"`
}

// Redial configures the cadence engine.
type Redial struct {
	Enabled bool `yaml:"enabled" json:"enabled"`
	// Intervals is the gap after attempt N (1-based: the first entry follows
	// the first attempt); past the end, the last one. Floored at MinGap.
	Intervals []time.Duration `yaml:"intervals" json:"intervals"`
	MinGap    time.Duration   `yaml:"min_gap" json:"min_gap"`
	JitterMin time.Duration   `yaml:"jitter_min" json:"jitter_min"`
	JitterMax time.Duration   `yaml:"jitter_max" json:"jitter_max"`
	// DailySchedule is the daily cap by lead age in calendar days (index 0 is
	// the day the record was created); past the end, the last entry.
	DailySchedule   []int         `yaml:"daily_schedule" json:"daily_schedule"`
	MaxAttempts     int           `yaml:"max_attempts" json:"max_attempts"`
	MaxAge          time.Duration `yaml:"max_age" json:"max_age"`
	StopOutcomes    []string      `yaml:"stop_outcomes" json:"stop_outcomes"`
	ProcessInterval time.Duration `yaml:"process_interval" json:"process_interval"`
	ReopenAfter     time.Duration `yaml:"reopen_after" json:"reopen_after"`
	// MaxInFlight bounds the dial requests awaiting the gate's answer.
	MaxInFlight int `yaml:"max_in_flight" json:"max_in_flight"`
	// MaxRecords bounds the records kept; past it the oldest completed go.
	MaxRecords int `yaml:"max_records" json:"max_records"`
}

// AMTracker configures the answering-machine tracker.
type AMTracker struct {
	Tracked   []string `yaml:"tracked" json:"tracked"`         // outcomes counted
	MaxPerDay int      `yaml:"max_per_day" json:"max_per_day"` // the gate's am_cap
	PruneAt   string   `yaml:"prune_at" json:"prune_at"`       // HH:MM business time: days other than today are dropped
}

// Calls configures the dial gate and the call registry.
type Calls struct {
	MaxDailyPerPhone int           `yaml:"max_daily_per_phone"`
	DuplicateWindow  time.Duration `yaml:"duplicate_window"`
	PendingTimeout   time.Duration `yaml:"pending_timeout"`
	PostTransferHold time.Duration `yaml:"post_transfer_hold"`
	BusyRetry        time.Duration `yaml:"busy_retry"`
}

// Queue configures the off-hours queue.
type Queue struct {
	MaxItems int           `yaml:"max_items"`
	Interval time.Duration `yaml:"interval"`
	Batch    int           `yaml:"batch"`
	MaxTries int           `yaml:"max_tries"`
	// MaxDeadLetters bounds the dead-letter list; past it the oldest go.
	MaxDeadLetters int `yaml:"max_dead_letters"`
}

// CRM configures the CRM outbox.
type CRM struct {
	MaxTries int           `yaml:"max_tries"`
	RetryMin time.Duration `yaml:"retry_min"`
	RetryMax time.Duration `yaml:"retry_max"`
	// MaxItems bounds the outbox, parked items included; past it new
	// updates are refused loudly (logged and counted), never dropped silently.
	MaxItems int `yaml:"max_items"`
}

// Blocklist configures do-not-call handling.
type Blocklist struct {
	// DNCPhrases in a completed call's transcript or summary (case-insensitive)
	// blocklist the phone.
	DNCPhrases []string `yaml:"dnc_phrases"`
}

// HTTP configures the gateway's listener and its timeouts.
type HTTP struct {
	Addr              string        `yaml:"addr"`
	MaxBody           ByteSize      `yaml:"max_body"`
	MaxHeaderBytes    ByteSize      `yaml:"max_header_bytes"`
	ReadHeaderTimeout time.Duration `yaml:"read_header_timeout"`
	ReadTimeout       time.Duration `yaml:"read_timeout"`
	WriteTimeout      time.Duration `yaml:"write_timeout"`
	IdleTimeout       time.Duration `yaml:"idle_timeout"`
	// RequestTimeout bounds the work behind one request; kept well under the
	// providers' 10 s so they never give up on us first.
	RequestTimeout time.Duration `yaml:"request_timeout"`
}

// Log configures zap.
type Log struct {
	Level  string `yaml:"level"`  // debug, info, warn, error
	Format string `yaml:"format"` // json or console
}

// Shutdown bounds the drain-stop.
type Shutdown struct {
	// Drain is how long webhooks are still accepted after a stop signal while
	// /readyz already says 503, so a load balancer can notice.
	Drain time.Duration `yaml:"drain"`
	// Timeout bounds the whole stop, drain included.
	Timeout time.Duration `yaml:"timeout"`
	// ChildTimeout bounds the stop of each service; one that misses it is
	// reported as unstopped and the stop goes on.
	ChildTimeout time.Duration `yaml:"child_timeout"`
}

// Supervision is the restart policy applied to every service.
type Supervision struct {
	MaxRestarts int           `yaml:"max_restarts"`
	Window      time.Duration `yaml:"window"`
	BackoffMin  time.Duration `yaml:"backoff_min"`
	BackoffMax  time.Duration `yaml:"backoff_max"`
}

// Memory sets the Go soft limit and the /health thresholds.
type Memory struct {
	Limit       ByteSize `yaml:"limit"` // 0 = no soft limit
	WarningRSS  ByteSize `yaml:"warning_rss"`
	CriticalRSS ByteSize `yaml:"critical_rss"`
}

// Data says where the journal and state live.
type Data struct {
	Dir string `yaml:"dir"`
}

// Debug configures the optional pprof listener.
type Debug struct {
	Addr string `yaml:"addr"` // empty = off; loopback only
}

// Admin configures the admin API.
type Admin struct {
	APIKey Secret `yaml:"api_key"` // empty = admin API answers 403
}

// Business holds the calendar every day-based rule uses, and the hours in
// which leads are dialled.
type Business struct {
	Timezone string   `yaml:"timezone" json:"timezone"`
	Days     []string `yaml:"days" json:"days"`   // mon..sun
	Open     string   `yaml:"open" json:"open"`   // "09:00"
	Close    string   `yaml:"close" json:"close"` // "17:00", exclusive; "24:00" allowed
	// BlackoutDates (YYYY-MM-DD, business time) are closed all day.
	BlackoutDates []string `yaml:"blackout_dates" json:"blackout_dates"`
	// CallbacksAnytime lets call-back webhooks and SMS callback requests dial
	// outside business hours instead of queueing.
	CallbacksAnytime bool `yaml:"callbacks_anytime" json:"callbacks_anytime"`
}

// Journal configures the durable webhook log.
type Journal struct {
	Retention time.Duration `yaml:"retention"`
	DedupeTTL time.Duration `yaml:"dedupe_ttl"`
	RecentMax int           `yaml:"recent_max"`
	// RecentMaxBytes also bounds the recent ring, whatever the body sizes.
	RecentMaxBytes ByteSize `yaml:"recent_max_bytes"`
	// MaxPending bounds appends waiting for a sync; past it webhooks get 429.
	MaxPending int `yaml:"max_pending"`
	// RetryAfter is the Retry-After a webhook gets while the journal cannot append.
	RetryAfter time.Duration `yaml:"retry_after"`
}

// Webhooks configures authentication of CRM and SMS webhooks.
type Webhooks struct {
	Token Secret `yaml:"token"`
}

// Provider is what every outbound HTTP client shares: mode, address,
// credentials' absence or presence, timeouts, rate limit and retries.
type Provider struct {
	Mode    string        `yaml:"mode"` // dry-run (log and answer plausibly) or live
	BaseURL string        `yaml:"base_url"`
	Timeout time.Duration `yaml:"timeout"`
	// RatePerSecond and Burst bound outbound requests (golang.org/x/time/rate).
	RatePerSecond float64 `yaml:"rate_per_second"`
	Burst         int     `yaml:"burst"`
	// MaxRetries applies only to failures that cannot have had an effect
	// (connection refused, 429, 503 before the request was read).
	MaxRetries   int           `yaml:"max_retries"`
	RetryBackoff time.Duration `yaml:"retry_backoff"`
}

// Bland configures the voice and SMS provider.
type Bland struct {
	Provider      `yaml:",inline"`
	APIKey        Secret `yaml:"api_key"`
	WebhookSecret Secret `yaml:"webhook_secret"`
	// WebhookURL is where the provider posts completions (our bland-callback).
	WebhookURL  string        `yaml:"webhook_url"`
	PathwayID   string        `yaml:"pathway_id"`
	StartNodeID string        `yaml:"start_node_id"`
	Task        string        `yaml:"task"`
	Voice       string        `yaml:"voice"`
	MaxDuration time.Duration `yaml:"max_duration"`
	// FromNumbers are our own caller ids (E.164); a completion "from" one of
	// them is never taken for the customer.
	FromNumbers      []string `yaml:"from_numbers"`
	VoicemailMessage string   `yaml:"voicemail_message"`
	VoicemailAction  string   `yaml:"voicemail_action"` // hangup or leave_message
}

// Convoso configures the CRM client.
type Convoso struct {
	Provider  `yaml:",inline"`
	AuthToken Secret `yaml:"auth_token"`
}

// Default returns the embedded defaults: a complete, valid configuration
// that runs the daemon with no file and no secrets.
func Default() Config {
	return Config{
		HTTP: HTTP{
			Addr:              "127.0.0.1:3000",
			MaxBody:           1 << 20,
			MaxHeaderBytes:    64 << 10,
			ReadHeaderTimeout: 5 * time.Second,
			ReadTimeout:       10 * time.Second,
			WriteTimeout:      10 * time.Second,
			IdleTimeout:       60 * time.Second,
			RequestTimeout:    8 * time.Second,
		},
		Log:         Log{Level: "info", Format: "json"},
		Shutdown:    Shutdown{Drain: 5 * time.Second, Timeout: 20 * time.Second, ChildTimeout: 5 * time.Second},
		Supervision: Supervision{MaxRestarts: 5, Window: 30 * time.Second, BackoffMin: 100 * time.Millisecond, BackoffMax: 15 * time.Second},
		Memory:      Memory{WarningRSS: 400 << 20, CriticalRSS: 480 << 20},
		Data:        Data{Dir: "./data"},
		Business: Business{
			Timezone: "America/New_York", Days: []string{"mon", "tue", "wed", "thu", "fri"},
			Open: "09:00", Close: "17:00",
		},
		Bland: Bland{
			Provider: Provider{Mode: "dry-run", BaseURL: "https://api.bland.ai", Timeout: 10 * time.Second,
				RatePerSecond: 5, Burst: 10, MaxRetries: 3, RetryBackoff: 500 * time.Millisecond},
			WebhookURL: "http://127.0.0.1:3000/webhooks/bland-callback", MaxDuration: 30 * time.Minute,
			Voice: "maya", VoicemailAction: "leave_message",
		},
		Blocklist: Blocklist{DNCPhrases: []string{
			"do not call", "don't call me", "dont call me", "stop calling", "remove me from your list",
			"take me off your list", "put me on your do not call list", "remove my number",
		}},
		Calls: Calls{MaxDailyPerPhone: 8, DuplicateWindow: 10 * time.Minute, PendingTimeout: 40 * time.Minute,
			PostTransferHold: 30 * time.Minute, BusyRetry: 5 * time.Minute},
		Redial: Redial{
			Enabled:   true,
			Intervals: []time.Duration{0, 0, 5 * time.Minute, 10 * time.Minute, 30 * time.Minute, time.Hour, 2 * time.Hour},
			MinGap:    2 * time.Minute, DailySchedule: []int{8, 6, 6, 3, 2, 1}, MaxAttempts: 35, MaxAge: 15 * 24 * time.Hour,
			StopOutcomes:    []string{"SALE", "TRANSFERRED", "NOT_INTERESTED", "DNC"},
			ProcessInterval: 5 * time.Minute, ReopenAfter: 30 * 24 * time.Hour, MaxInFlight: 20, MaxRecords: 200000,
		},
		SMS: SMS{
			Enabled: true, Triggers: []string{"VOICEMAIL", "NO_ANSWER"}, Interval: 5 * time.Minute,
			DayGaps: []int{0, 1, 3, 7}, Days: []string{"mon", "tue", "wed", "thu", "fri"},
			StartHour: 8, EndHour: 21, MaxPerDay: 1,
			Templates: []string{
				"Hi {{first_name}}, this is AW Health returning your request about health coverage. Reply here or call us back when it suits you. Reply STOP to opt out.",
				"Hi {{first_name}}, we tried to reach you yesterday about your health coverage quote. Want us to call you? Reply YES, or STOP to opt out.",
				"{{first_name}}, your health coverage options are still available. Reply CALL ME and a licensed agent will ring you. Reply STOP to opt out.",
				"Last note from AW Health, {{first_name}}: reply YES if you would still like help with coverage. Reply STOP to opt out.",
			},
			CallbackDelay: 5 * time.Minute, RetryInterval: time.Minute, MaxSequences: 200000,
		},
		Stats:     Stats{DedupeDays: 7},
		AMTracker: AMTracker{Tracked: []string{"VOICEMAIL", "NO_ANSWER"}, MaxPerDay: 4, PruneAt: "20:30"},
		Queue:     Queue{MaxItems: 100000, Interval: 30 * time.Minute, Batch: 50, MaxTries: 5, MaxDeadLetters: 10000},
		CRM:       CRM{MaxTries: 10, RetryMin: 30 * time.Second, RetryMax: 30 * time.Minute, MaxItems: 100000},
		Convoso: Convoso{
			Provider: Provider{Mode: "dry-run", BaseURL: "https://api.convoso.com", Timeout: 10 * time.Second,
				RatePerSecond: 10, Burst: 20, MaxRetries: 3, RetryBackoff: 500 * time.Millisecond},
		},
		Journal: Journal{
			Retention:      90 * 24 * time.Hour,
			DedupeTTL:      7 * 24 * time.Hour,
			RecentMax:      10000,
			RecentMaxBytes: 1 << 20,
			MaxPending:     20000,
			RetryAfter:     5 * time.Second,
		},
	}
}
