package messages

import "orchestrator/config"

// CheckAMCap asks the answering-machine tracker whether a lead has reached
// its cap of tracked outcomes today; answered with AMCapStatus.
type CheckAMCap struct {
	Ref    string
	LeadID string
	Phone  Phone
}

// AMCapStatus answers CheckAMCap.
type AMCapStatus struct {
	Ref     string
	Reached bool
	Count   int
}

// GetAMStats asks for today's tracker counts; answered with AMStats.
type GetAMStats struct{}

// AMStats answers GetAMStats.
type AMStats struct {
	Day        string `json:"day"`
	Leads      int    `json:"leads"`       // lead+phone pairs counted today
	AtCap      int    `json:"at_cap"`      // of them, at or over max_per_day
	Outcomes   int    `json:"outcomes"`    // tracked outcomes counted today
	MaxPerDay  int    `json:"max_per_day"` // the cap in force
	PrunedDays int    `json:"pruned_days"` // days dropped by the last prune
}

// GetAMRecords asks for today's per-lead counts, highest first; answered with AMRecords.
type GetAMRecords struct{ Limit, Offset int }

// AMRecord is one lead+phone's count today.
type AMRecord struct {
	LeadID string `json:"lead_id"`
	Phone  Phone  `json:"phone"`
	Count  int    `json:"count"`
}

// AMRecords answers GetAMRecords.
type AMRecords struct {
	Day     string     `json:"day"`
	Total   int        `json:"total"`
	Records []AMRecord `json:"records"`
}

// GetAMConfig asks for the tracker's settings in force; answered with AMConfig.
type GetAMConfig struct{}

// SetAMConfig changes them at run time: validated, persisted, in force at
// once; answered with AMConfig (Err set, nothing changed, when invalid).
type SetAMConfig struct{ Config config.AMTracker }

// AMConfig answers GetAMConfig and SetAMConfig.
type AMConfig struct {
	Config config.AMTracker `json:"config"`
	Err    string           `json:"-"`
}
