package messages

import (
	"fmt"
	"time"
)

// StatsCounts are the call counters of DOMAIN "stats" over some completions:
// one business day's, a range's or all time's.
type StatsCounts struct {
	TotalCalls             int `json:"total_calls"`
	CompletedCalls         int `json:"completed_calls"` // total minus failed
	FailedCalls            int `json:"failed_calls"`
	AnsweredCalls          int `json:"answered_calls"`
	TransferredCalls       int `json:"transferred_calls"`
	VoicemailCalls         int `json:"voicemail_calls"`
	NoAnswerCalls          int `json:"no_answer_calls"`
	BusyCalls              int `json:"busy_calls"`
	NotInterestedCalls     int `json:"not_interested_calls"`
	CallbackRequestedCalls int `json:"callback_requested_calls"`
}

// Add returns the sum of two sets of counters.
func (c StatsCounts) Add(o StatsCounts) StatsCounts {
	return StatsCounts{
		TotalCalls:             c.TotalCalls + o.TotalCalls,
		CompletedCalls:         c.CompletedCalls + o.CompletedCalls,
		FailedCalls:            c.FailedCalls + o.FailedCalls,
		AnsweredCalls:          c.AnsweredCalls + o.AnsweredCalls,
		TransferredCalls:       c.TransferredCalls + o.TransferredCalls,
		VoicemailCalls:         c.VoicemailCalls + o.VoicemailCalls,
		NoAnswerCalls:          c.NoAnswerCalls + o.NoAnswerCalls,
		BusyCalls:              c.BusyCalls + o.BusyCalls,
		NotInterestedCalls:     c.NotInterestedCalls + o.NotInterestedCalls,
		CallbackRequestedCalls: c.CallbackRequestedCalls + o.CallbackRequestedCalls,
	}
}

// CallStats are counters with their rates, in percent rounded to two
// decimals (0 when the divisor is 0). The JSON is flat, as the old service's.
type CallStats struct {
	StatsCounts
	TransferRate     float64 `json:"transfer_rate"`     // transferred / answered
	ConnectivityRate float64 `json:"connectivity_rate"` // the business's name for the same ratio
	SuccessRate      float64 `json:"success_rate"`      // completed / total
}

// DayStats are one business day's statistics.
type DayStats struct {
	Date string `json:"date"` // YYYY-MM-DD in business time
	CallStats
}

// GetDayStats asks for one business day's statistics, today when Date is
// empty; answered with DayStatsResult.
type GetDayStats struct{ Date string }

// DayStatsResult answers GetDayStats; Err names a bad date.
type DayStatsResult struct {
	Stats DayStats
	Err   string
}

// GetStatsRange asks for every day from Start to End (YYYY-MM-DD, inclusive)
// and their totals; answered with StatsRange.
type GetStatsRange struct{ Start, End string }

// StatsRange answers GetStatsRange: each calendar day once, oldest first,
// days without calls included as zeros.
type StatsRange struct {
	StartDate string     `json:"start_date"`
	EndDate   string     `json:"end_date"`
	Days      []DayStats `json:"days"`
	Totals    CallStats  `json:"totals"`
	Err       string     `json:"-"`
}

// GetAllTimeStats asks for the totals over every day counted; answered with
// AllTimeStats.
type GetAllTimeStats struct{}

// AllTimeStats answers GetAllTimeStats.
type AllTimeStats struct {
	FirstDate string `json:"first_date,omitempty"` // the oldest day with calls
	LastDate  string `json:"last_date,omitempty"`  // the newest
	Days      int    `json:"days"`                 // days with calls
	CallStats
}

// MaxStatsRangeDays bounds a range query: a year, leap day included.
const MaxStatsRangeDays = 366

// StatsRangeDays lists the calendar dates from start to end inclusive, each
// once. Dates are stepped with time.Date(y, m, d+1), never by adding 24
// hours, so a 23- or 25-hour DST day is still exactly one date. The error
// names the bad parameter (start_date, end_date) and what is wrong with it.
func StatsRangeDays(start, end string) ([]string, error) {
	from, err := time.Parse(time.DateOnly, start)
	if err != nil {
		return nil, fmt.Errorf("start_date must be a date YYYY-MM-DD, got %q", start)
	}
	to, err := time.Parse(time.DateOnly, end)
	if err != nil {
		return nil, fmt.Errorf("end_date must be a date YYYY-MM-DD, got %q", end)
	}
	if to.Before(from) {
		return nil, fmt.Errorf("end_date %s is before start_date %s", end, start)
	}
	y, m, d := from.Date()
	var days []string
	for i := 0; ; i++ {
		day := time.Date(y, m, d+i, 0, 0, 0, 0, time.UTC)
		if day.After(to) {
			return days, nil
		}
		if i == MaxStatsRangeDays {
			return nil, fmt.Errorf("the range %s to %s is longer than %d days", start, end, MaxStatsRangeDays)
		}
		days = append(days, day.Format(time.DateOnly))
	}
}
