package amtracker

import (
	"cmp"
	"slices"
	"time"

	"orchestrator/messages"
)

const (
	defaultLimit = 50
	maxLimit     = 1000
)

// stats summarises today's counts.
func (t *Tracker) stats(now time.Time) messages.AMStats {
	date := t.day(now)
	d := t.days[date]
	return messages.AMStats{Day: date, Leads: d.size(), AtCap: d.capped(), Outcomes: d.total(),
		MaxPerDay: t.d.Cfg.MaxPerDay, PrunedDays: t.pruned}
}

// records lists today's pairs, highest count first, then by lead id and phone.
func (t *Tracker) records(m messages.GetAMRecords, now time.Time) messages.AMRecords {
	date := t.day(now)
	all := []messages.AMRecord{}
	if d := t.days[date]; d != nil {
		for _, p := range d.pairs {
			all = append(all, messages.AMRecord{LeadID: p.LeadID, Phone: p.Phone, Count: p.count()})
		}
	}
	slices.SortFunc(all, func(a, b messages.AMRecord) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.LeadID, b.LeadID), cmp.Compare(a.Phone, b.Phone))
	})
	limit := m.Limit
	if limit <= 0 {
		limit = defaultLimit
	}
	limit = min(limit, maxLimit)
	offset := min(max(m.Offset, 0), len(all))
	page := all[offset:min(len(all), offset+limit)]
	return messages.AMRecords{Day: date, Total: len(all), Records: page}
}
