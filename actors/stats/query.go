package stats

import (
	"time"

	"orchestrator/messages"
)

// day answers GetDayStats: date, or today in business time when empty.
func (s *Stats) day(date string) messages.DayStatsResult {
	if date == "" {
		date = s.dayOf(s.now())
	} else if _, err := time.Parse(time.DateOnly, date); err != nil {
		return messages.DayStatsResult{Err: "date must be a date YYYY-MM-DD, got " + quote(date)}
	}
	return messages.DayStatsResult{Stats: messages.DayStats{Date: date, CallStats: Rates(s.days[date])}}
}

// between answers GetStatsRange: every calendar date once, zeros included.
func (s *Stats) between(start, end string) messages.StatsRange {
	dates, err := messages.StatsRangeDays(start, end)
	if err != nil {
		return messages.StatsRange{StartDate: start, EndDate: end, Days: []messages.DayStats{}, Err: err.Error()}
	}
	out := messages.StatsRange{StartDate: start, EndDate: end, Days: make([]messages.DayStats, len(dates))}
	var total messages.StatsCounts
	for i, date := range dates {
		c := s.days[date]
		total = total.Add(c)
		out.Days[i] = messages.DayStats{Date: date, CallStats: Rates(c)}
	}
	out.Totals = Rates(total)
	return out
}

// allTime answers GetAllTimeStats: the sum over every day counted.
func (s *Stats) allTime() messages.AllTimeStats {
	days := s.sortedDays()
	var total messages.StatsCounts
	for _, date := range days {
		total = total.Add(s.days[date])
	}
	out := messages.AllTimeStats{Days: len(days), CallStats: Rates(total)}
	if len(days) > 0 {
		out.FirstDate, out.LastDate = days[0], days[len(days)-1]
	}
	return out
}

func quote(s string) string {
	if len(s) > 64 {
		s = s[:64] + "…"
	}
	return `"` + s + `"`
}
