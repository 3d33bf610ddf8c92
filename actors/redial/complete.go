package redial

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"go.uber.org/zap"

	"orchestrator/messages"
)

// complete ends a phone's cadence for a reason outside the calls (an SMS
// opt-out). It is idempotent: a completed record keeps its first reason, and
// a phone without a record answers Found false, which the asker counts as
// done (nothing will dial it).
func (r *Redial) complete(c actor.Context, m messages.CompleteRedial, now time.Time) messages.RedialChanged {
	s, ok := r.index[m.Phone]
	if !ok {
		return messages.RedialChanged{}
	}
	rec := r.full(s)
	if rec.Status != messages.RedialDone {
		rec.Status, rec.Reason, rec.NextDue, rec.UpdatedAt = messages.RedialDone, m.Reason, time.Time{}, now
		r.put(rec, 0)
		r.arm(c, now)
		r.d.Log.Info("redial completed", zap.String("phone", m.Phone.Masked()), zap.String("reason", m.Reason))
	}
	return changedReply(rec)
}
