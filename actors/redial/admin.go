package redial

import (
	"cmp"
	"maps"
	"slices"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"go.uber.org/zap"

	"orchestrator/messages"
)

// status counts the records; DueNow walks them (an admin request, not a tick).
func (r *Redial) status(now time.Time) messages.RedialStatus {
	st := messages.RedialStatus{Enabled: r.enabled, Counts: map[string]int{}, InFlight: len(r.inflight)}
	for name, n := range r.counts {
		if n > 0 {
			st.Counts[name] = n
		}
	}
	at := now.UnixNano()
	for _, s := range r.index {
		if ready(s, at) {
			st.DueNow++
		}
	}
	if e, ok := r.earliest(); ok {
		st.NextDue = unixTime(e.due)
	}
	return st
}

func ready(s *slim, at int64) bool { return schedulable(s.status) && s.nextDue <= at }

// list returns a page of records sorted by next due (then phone), filtered
// by status and readiness. Only the page's full records are read; each is
// the caller's own copy.
func (r *Redial) list(m messages.GetRedialRecords, now time.Time) messages.RedialRecords {
	var sel []*slim
	at := now.UnixNano()
	for _, s := range r.index {
		if (m.Status == "" || s.statusName() == m.Status) && (!m.Ready || ready(s, at)) {
			sel = append(sel, s)
		}
	}
	slices.SortFunc(sel, func(a, b *slim) int {
		return cmp.Or(cmp.Compare(a.nextDue, b.nextDue), cmp.Compare(a.phone, b.phone))
	})
	limit := m.Limit
	if limit <= 0 {
		limit = defaultLimit
	}
	limit = min(limit, maxLimit)
	from := min(max(m.Offset, 0), len(sel))
	to := min(from+limit, len(sel))
	out := messages.RedialRecords{Total: len(sel), Records: make([]messages.RedialRecord, 0, to-from)}
	for _, s := range sel[from:to] {
		out.Records = append(out.Records, clone(r.full(s)))
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
	s, ok := r.index[phone]
	if !ok {
		return messages.RedialChanged{}
	}
	rec := r.full(s)
	rec.Status, rec.Reason, rec.UpdatedAt = messages.RedialPaused, "operator", now
	r.put(rec, 0)
	r.arm(c, now)
	r.d.Log.Info("redial paused by an operator", zap.String("phone", phone.Masked()))
	return changedReply(rec)
}

// resume re-plans a phone from now; a completed record is reopened (fresh
// age and counters) so the policy does not complete it again at once.
func (r *Redial) resume(c actor.Context, phone messages.Phone, now time.Time) messages.RedialChanged {
	s, ok := r.index[phone]
	if !ok {
		return messages.RedialChanged{}
	}
	rec := r.full(s)
	if rec.Status == messages.RedialDone {
		r.reopen(rec, now)
	} else {
		rec.Status = messages.RedialPending
		rec.NextDue, rec.Status, rec.Reason = NextDue(now, *rec, r.d.Cfg, r.hours(), r.rand())
		rec.UpdatedAt = now
	}
	r.put(rec, 0)
	r.arm(c, now)
	r.d.Log.Info("redial resumed by an operator", zap.String("phone", phone.Masked()), zap.String("status", rec.Status),
		zap.Time("next_due", rec.NextDue))
	return changedReply(rec)
}

// remove forgets a phone; its heap entries go stale and an answer in flight
// is ignored.
func (r *Redial) remove(c actor.Context, phone messages.Phone, now time.Time) messages.RedialChanged {
	s, ok := r.index[phone]
	if !ok {
		return messages.RedialChanged{}
	}
	reply := changedReply(r.full(s))
	r.drop(s)
	r.d.Metrics.setCounts(r.counts)
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
