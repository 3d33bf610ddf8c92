package businesshours

import (
	"sync/atomic"

	"orchestrator/config"
)

// Schedule is the business calendar in force. Operators change it at run
// time (the scheduler config admin API), so the actors that decide by it
// read it through this holder on every decision and never keep an *Hours.
type Schedule struct {
	hours atomic.Pointer[Hours]
	cfg   atomic.Pointer[config.Business]
}

// NewSchedule validates cfg and makes it the schedule in force.
func NewSchedule(cfg config.Business) (*Schedule, error) {
	s := &Schedule{}
	return s, s.Set(cfg)
}

// Hours is the calendar in force; safe from any goroutine.
func (s *Schedule) Hours() *Hours { return s.hours.Load() }

// Config is the configuration the calendar in force was built from.
func (s *Schedule) Config() config.Business { return *s.cfg.Load() }

// Set validates cfg and, only if it is valid, puts it in force.
func (s *Schedule) Set(cfg config.Business) error {
	h, err := New(cfg)
	if err != nil {
		return err
	}
	s.cfg.Store(&cfg)
	s.hours.Store(h)
	return nil
}
