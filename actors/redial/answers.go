package redial

import (
	"slices"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"go.uber.org/zap"

	"orchestrator/messages"
)

// result applies the gate's answer to the record it was for, then refills
// the free in-flight slots.
func (r *Redial) result(c actor.Context, m messages.DialResult, now time.Time) {
	phone := messages.Phone(m.Ref)
	f, was := r.inflight[phone]
	delete(r.inflight, phone)
	r.d.Metrics.dials.WithLabelValues(string(m.Code)).Inc()
	s, ok := r.index[phone]
	switch {
	case !ok:
		r.d.Log.Debug("answer for a removed record; ignored", zap.String("phone", phone.Masked()), zap.String("code", string(m.Code)))
	case !was:
		// Released by the sweep and possibly sent again: the newer request's
		// answer decides; only a provider failure still counts as an attempt.
		if m.Code == messages.DialFailed {
			rec := r.full(s)
			r.countAttempt(rec, now)
			rec.UpdatedAt = now
			r.put(rec, 0)
		}
	default:
		r.apply(r.full(s), m, f, now)
	}
	r.process(c, now)
}

// apply re-plans rec after the gate's answer m to the request f.
func (r *Redial) apply(rec *messages.RedialRecord, m messages.DialResult, f flight, now time.Time) {
	if m.Code == messages.DialFailed {
		r.countAttempt(rec, now) // a provider failure is an attempt (DOMAIN "calls" rule 7)
	}
	rec.UpdatedAt = now
	old := rec.Status
	if !waiting(old) { // paused or completed while in flight
		r.put(rec, 0)
		return
	}
	hours := r.hours()
	status, reason := messages.RedialPending, "gate: "+string(m.Code)
	var due time.Time
	switch m.Code {
	case messages.DialDialled:
		if m.CallID != "" && slices.Contains(rec.Calls, m.CallID) {
			r.put(rec, 0) // its completion came first and re-planned it
			return
		}
		due, reason = now.Add(dialledGuard), "dialled; awaiting completion"
	case messages.DialBusy:
		due = retryAt(m, now, now.Add(busyRetry))
	case messages.DialQueuedOffHours, messages.DialClosed:
		due = hours.NextOpening(now) // the gate's hours and ours may differ: never "now"
		if !due.After(now) {
			due = hours.NextDayOpening(now)
		}
		due = retryAt(m, now, due)
	case messages.DialDailyCap:
		due, status = retryAt(m, now, hours.NextDayOpening(now)), messages.RedialDailyCap
	case messages.DialDuplicate, messages.DialAMCap:
		due = retryAt(m, now, hours.NextDayOpening(now))
	case messages.DialBlocked:
		status, reason = messages.RedialDone, ReasonBlocked
		r.d.Log.Info("redial completed", zap.String("phone", rec.Phone.Masked()), zap.String("reason", reason))
	case messages.DialFailed:
		due, status, reason = NextDue(now, *rec, r.d.Cfg, hours, r.rand())
	default:
		r.d.Log.Warn("unknown dial gate answer; retried later", zap.String("code", string(m.Code)))
		due = now.Add(busyRetry)
	}
	if status != messages.RedialDone && m.Code != messages.DialFailed && unixNano(rec.NextDue) != f.due && rec.NextDue.After(due) {
		due = rec.NextDue // a completion re-planned it while in flight: keep its gap
	}
	if old == messages.RedialScheduledCallback && status == messages.RedialPending {
		status = old // a call-back not yet made stays one until its call completes
	}
	rec.NextDue, rec.Status, rec.Reason = due, status, reason
	r.put(rec, 0)
}

// retryAt is the gate's RetryAt when it is ahead of now, else def.
func retryAt(m messages.DialResult, now, def time.Time) time.Time {
	if m.RetryAt.After(now) {
		return m.RetryAt
	}
	return def
}
