package redial

import (
	"maps"
	"slices"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"go.uber.org/zap"

	"orchestrator/actors/store"
	"orchestrator/messages"
)

// status counts the records; DueNow walks them (an admin request, not a tick).
func (r *Redial) status(now time.Time) messages.RedialStatus {
	s := messages.RedialStatus{Enabled: r.enabled, Counts: map[string]int{}, InFlight: len(r.inflight)}
	for st, n := range r.counts {
		if n > 0 {
			s.Counts[st] = n
		}
	}
	for _, rec := range r.records {
		if ready(rec, now) {
			s.DueNow++
		}
	}
	if e, ok := r.earliest(); ok {
		s.NextDue = e.due
	}
	return s
}

func ready(rec *messages.RedialRecord, now time.Time) bool {
	return schedulable(rec.Status) && !rec.NextDue.After(now)
}

// list returns a page of records sorted by next due (then phone), filtered
// by status and readiness; copies, so the caller never shares our maps.
func (r *Redial) list(m messages.GetRedialRecords, now time.Time) messages.RedialRecords {
	var sel []*messages.RedialRecord
	for _, rec := range r.records {
		if (m.Status == "" || rec.Status == m.Status) && (!m.Ready || ready(rec, now)) {
			sel = append(sel, rec)
		}
	}
	slices.SortFunc(sel, func(a, b *messages.RedialRecord) int {
		if c := a.NextDue.Compare(b.NextDue); c != 0 {
			return c
		}
		if a.Phone < b.Phone {
			return -1
		}
		return 1
	})
	limit := m.Limit
	if limit <= 0 {
		limit = defaultLimit
	}
	limit = min(limit, maxLimit)
	from := min(max(m.Offset, 0), len(sel))
	to := min(from+limit, len(sel))
	out := messages.RedialRecords{Total: len(sel), Records: make([]messages.RedialRecord, 0, to-from)}
	for _, rec := range sel[from:to] {
		out.Records = append(out.Records, clone(rec))
	}
	return out
}

func clone(rec *messages.RedialRecord) messages.RedialRecord {
	c := *rec
	c.Lead.Extra = maps.Clone(rec.Lead.Extra)
	c.AttemptsByDay = maps.Clone(rec.AttemptsByDay)
	c.Outcomes = slices.Clone(rec.Outcomes)
	c.Calls = slices.Clone(rec.Calls)
	return c
}

func changedReply(rec *messages.RedialRecord) messages.RedialChanged {
	c := clone(rec)
	return messages.RedialChanged{Found: true, Record: &c}
}

// pause stops dialling a phone until an operator resumes it.
func (r *Redial) pause(c actor.Context, phone messages.Phone, now time.Time) messages.RedialChanged {
	rec, ok := r.records[phone]
	if !ok {
		return messages.RedialChanged{}
	}
	old := rec.Status
	rec.Status, rec.Reason, rec.UpdatedAt = messages.RedialPaused, "operator", now
	r.changed(rec, old)
	r.arm(c, now)
	r.d.Log.Info("redial paused by an operator", zap.String("phone", phone.Masked()))
	return changedReply(rec)
}

// resume re-plans a phone from now; a completed record is reopened (fresh
// age and counters) so the policy does not complete it again at once.
func (r *Redial) resume(c actor.Context, phone messages.Phone, now time.Time) messages.RedialChanged {
	rec, ok := r.records[phone]
	if !ok {
		return messages.RedialChanged{}
	}
	old := rec.Status
	if old == messages.RedialDone {
		r.reopen(rec, now)
	} else {
		rec.Status = messages.RedialPending
		rec.NextDue, rec.Status, rec.Reason = NextDue(now, *rec, r.d.Cfg, r.hours(), r.rand())
		rec.UpdatedAt = now
	}
	r.changed(rec, old)
	r.arm(c, now)
	r.d.Log.Info("redial resumed by an operator", zap.String("phone", phone.Masked()), zap.String("status", rec.Status),
		zap.Time("next_due", rec.NextDue))
	return changedReply(rec)
}

// remove forgets a phone; its heap entries go stale and an answer in flight
// is ignored.
func (r *Redial) remove(c actor.Context, phone messages.Phone, now time.Time) messages.RedialChanged {
	rec, ok := r.records[phone]
	if !ok {
		return messages.RedialChanged{}
	}
	reply := changedReply(rec)
	delete(r.records, phone)
	r.counts[rec.Status]--
	r.d.Metrics.setCounts(r.counts)
	if err := r.d.Bucket.Commit(0, store.Change{Key: recPrefix + string(phone)}); err != nil {
		r.d.Log.Error("removed redial record not deleted from the store", zap.String("phone", phone.Masked()), zap.Error(err))
	}
	r.arm(c, now)
	r.d.Log.Info("redial removed by an operator", zap.String("phone", phone.Masked()))
	return reply
}

// enable turns the cadence on or off until the next restart or config
// change; records keep their state.
func (r *Redial) enable(c actor.Context, on bool, now time.Time) messages.RedialStatus {
	r.enabled = on
	r.d.Log.Info("redial enabled by an operator", zap.Bool("enabled", on))
	r.process(c, now)
	return r.status(now)
}
