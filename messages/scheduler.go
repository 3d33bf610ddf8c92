package messages

import "orchestrator/config"

// GetSchedulerConfig asks for the business hours in force; answered with
// SchedulerConfig.
type GetSchedulerConfig struct{}

// SetSchedulerConfig changes the business hours at run time: validated in
// full, persisted, then put in force; answered with SchedulerConfig.
type SetSchedulerConfig struct{ Business config.Business }

// SchedulerConfig answers both; Err says why a change was refused (the
// hours in force are then unchanged).
type SchedulerConfig struct {
	Business config.Business `json:"business"`
	Err      string          `json:"-"`
}
