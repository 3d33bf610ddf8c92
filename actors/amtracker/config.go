package amtracker

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"go.uber.org/zap"

	"orchestrator/actors/store"
	"orchestrator/config"
	"orchestrator/messages"
)

// savedKey holds the settings an operator saved through the admin API, in
// Deps.ConfigBucket; they win over the file's until changed there again.
const savedKey = "config"

// saved returns the operator's settings, if any.
func (t *Tracker) saved() (config.AMTracker, bool) {
	if t.d.ConfigBucket == nil {
		return config.AMTracker{}, false
	}
	raw, err := t.d.ConfigBucket.Get(savedKey)
	if err != nil || raw == nil {
		return config.AMTracker{}, false
	}
	var cfg config.AMTracker
	if err := json.Unmarshal(raw, &cfg); err != nil {
		t.d.Log.Error("saved amtracker config unreadable; using the file's", zap.Error(err))
		return config.AMTracker{}, false
	}
	return cfg, true
}

// setConfig validates, persists and applies an operator's settings.
func (t *Tracker) setConfig(c actor.Context, cfg config.AMTracker, now time.Time) messages.AMConfig {
	if err := validate(cfg); err != nil {
		return messages.AMConfig{Config: t.d.Cfg, Err: err.Error()}
	}
	if t.d.ConfigBucket != nil {
		raw, _ := json.Marshal(cfg)
		if err := t.d.ConfigBucket.Commit(0, store.Change{Key: savedKey, Value: raw}); err != nil {
			return messages.AMConfig{Config: t.d.Cfg, Err: "not stored: " + err.Error()}
		}
	}
	t.overridden = true
	t.reconfigure(c, cfg, now)
	return messages.AMConfig{Config: t.d.Cfg}
}

// validate checks what config.Validate checks for this section, naming keys.
func validate(cfg config.AMTracker) error {
	var errs []error
	if cfg.MaxPerDay < 1 {
		errs = append(errs, fmt.Errorf("max_per_day: must be >= 1 (got %d)", cfg.MaxPerDay))
	}
	if _, ok := parseClock(cfg.PruneAt); !ok {
		errs = append(errs, fmt.Errorf("prune_at: must be HH:MM (got %q)", cfg.PruneAt))
	}
	for i, o := range cfg.Tracked {
		if _, err := messages.ParseOutcome(o); err != nil {
			errs = append(errs, fmt.Errorf("tracked[%d]: unknown outcome %q", i, o))
		}
	}
	return errors.Join(errs...)
}
