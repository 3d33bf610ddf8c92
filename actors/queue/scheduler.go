package queue

import (
	"encoding/json"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"go.uber.org/zap"

	"orchestrator/actors/store"
	"orchestrator/config"
	"orchestrator/messages"
)

// scheduleKey holds the business hours an operator saved, in this bucket:
// the queue owns the scheduler config because it is the one actor whose
// timers (the opening) depend on the hours.
const scheduleKey = "scheduler/business"

// SavedSchedule returns the business hours an operator saved, if any; main
// puts them in force before any service starts.
func SavedSchedule(b *store.Bucket) (config.Business, bool, error) {
	raw, err := b.Get(scheduleKey)
	if err != nil || raw == nil {
		return config.Business{}, false, err
	}
	var cfg config.Business
	if err := json.Unmarshal(raw, &cfg); err != nil {
		return config.Business{}, false, err
	}
	return cfg, true, nil
}

// setSchedule validates, persists and puts new business hours in force, and
// re-arms the opening timer for them. The time zone stays the file's: it
// names the journal's days and every stored calendar date.
func (q *Queue) setSchedule(c actor.Context, m messages.SetSchedulerConfig, now time.Time) messages.SchedulerConfig {
	cfg := m.Business
	cfg.Timezone = q.d.Schedule.Config().Timezone
	old := q.d.Schedule.Config()
	if err := q.d.Schedule.Set(cfg); err != nil {
		return messages.SchedulerConfig{Business: old, Err: err.Error()}
	}
	raw, _ := json.Marshal(cfg)
	if err := q.d.Bucket.Commit(0, store.Change{Key: scheduleKey, Value: raw}); err != nil {
		_ = q.d.Schedule.Set(old)
		return messages.SchedulerConfig{Business: old, Err: "not stored: " + err.Error()}
	}
	q.d.Log.Info("business hours changed by an operator", zap.Strings("days", cfg.Days), zap.String("open", cfg.Open),
		zap.String("close", cfg.Close), zap.Strings("blackout_dates", cfg.BlackoutDates), zap.Bool("callbacks_anytime", cfg.CallbacksAnytime))
	q.armOpening(c, now)
	if q.d.Schedule.Hours().IsOpen(now) {
		q.drain(c, now) // hours that open now release what waited for them
	}
	return messages.SchedulerConfig{Business: cfg}
}
