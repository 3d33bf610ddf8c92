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

// callCompleted counts an outbound call once per call id, records its
// outcome and re-plans the record. Paused and completed records count it but
// keep their status.
func (r *Redial) callCompleted(c actor.Context, m messages.CallCompleted, now time.Time) {
	if m.Inbound || m.Phone == "" {
		return
	}
	at := m.CompletedAt
	if at.IsZero() {
		at = now
	}
	var rec *messages.RedialRecord
	s := r.index[m.Phone]
	if s == nil {
		rec = newRecord(m.Phone, at)
	} else {
		rec = r.full(s)
	}
	if m.CallID != "" && slices.Contains(rec.Calls, m.CallID) {
		r.d.Log.Debug("completion already counted", zap.String("call_id", m.CallID))
		return
	}
	old := rec.Status
	if m.LeadID != "" {
		rec.Lead.LeadID = m.LeadID
	}
	if m.ListID != "" {
		rec.Lead.ListID = m.ListID
	}
	r.countAttempt(rec, at)
	if m.CallID != "" {
		rec.Calls = appendCapped(rec.Calls, m.CallID, maxCalls)
	}
	rec.Outcomes = appendCapped(rec.Outcomes, m.Outcome, maxOutcomes)
	rec.LastOutcome = m.Outcome
	rec.UpdatedAt = now
	if waiting(old) {
		rec.NextDue, rec.Status, rec.Reason = NextDue(now, *rec, r.d.Cfg, r.hours(), r.rand())
		if m.Outcome == messages.OutcomeCallback && rec.Status != messages.RedialDone {
			r.scheduleCallback(rec, m.Variables, now)
		}
	}
	if rec.Status == messages.RedialDone && old != messages.RedialDone {
		r.d.Log.Info("redial completed", zap.String("phone", rec.Phone.Masked()), zap.String("reason", rec.Reason),
			zap.Int("attempts", rec.Attempts))
	}
	r.put(rec, m.Seq)
	if s == nil {
		r.evict()
	}
	r.arm(c, now)
}

// scheduleCallback makes rec, just re-planned after a CALLBACK outcome, a
// scheduled call-back: due at the time the lead asked for when the
// completion's variables carry one ahead of now (moved into business
// hours), else when the re-plan put it. A call-back asked for on a day
// whose cap is reached waits for the next day's opening.
func (r *Redial) scheduleCallback(rec *messages.RedialRecord, vars map[string]string, now time.Time) {
	due, hours := rec.NextDue, r.hours()
	if at, ok := CallbackAt(vars, hours.Location()); ok && at.After(now) {
		if at = hours.NextOpening(at); !at.IsZero() && (rec.Status != messages.RedialDailyCap || at.After(due)) {
			due = at
		}
	}
	rec.NextDue, rec.Status, rec.Reason = due, messages.RedialScheduledCallback, ReasonCallback
}

// leadReceived applies one lead webhook received at `at` (intake.go) and
// says whether it created a record. A new phone gets a pending record due
// Gap(1) later: the gate dials a new lead itself and that call's completion
// re-plans it; if that dial never happens (cut by a crash, refused), the
// cadence dials it then. Lead facts are the latest; a completed record
// reopens only when it was completed more than reopen_after before the lead
// arrived, so reading a lead again after a restart changes nothing.
func (r *Redial) leadReceived(lead messages.Lead, at time.Time) bool {
	phone := lead.Phone
	if phone == "" {
		return false
	}
	lead.Extra = maps.Clone(lead.Extra)
	s := r.index[phone]
	if s == nil {
		rec := newRecord(phone, at)
		rec.Lead = lead
		rec.NextDue = firstDue(at, 1, r.d.Cfg, r.hours(), r.rand())
		r.put(rec, 0)
		return true
	}
	rec := r.full(s)
	rec.Lead = lead
	switch {
	case rec.Status != messages.RedialDone:
		if at.After(rec.UpdatedAt) {
			rec.UpdatedAt = at
		}
	case at.Sub(rec.UpdatedAt) > r.d.Cfg.ReopenAfter:
		r.reopen(rec, at)
		r.d.Log.Info("completed redial reopened by a new lead", zap.String("phone", phone.Masked()))
	}
	// A completed record not reopened keeps UpdatedAt, so reopen_after
	// counts from its completion however often the CRM re-pushes the lead.
	r.put(rec, 0)
	return false
}

// reopen starts a completed record's cadence afresh: new age, no attempts
// counted, no stop outcome, due Gap(1) after now. Its call ids stay, so an
// old completion is still not counted twice.
func (r *Redial) reopen(rec *messages.RedialRecord, now time.Time) {
	rec.CreatedAt, rec.UpdatedAt = now, now
	rec.Attempts, rec.AttemptsByDay = 0, map[string]int{}
	rec.LastOutcome = ""
	rec.Status, rec.Reason = messages.RedialPending, ""
	rec.NextDue = firstDue(now, 1, r.d.Cfg, r.hours(), r.rand())
}

func newRecord(phone messages.Phone, at time.Time) *messages.RedialRecord {
	return &messages.RedialRecord{
		Phone: phone, Lead: messages.Lead{Phone: phone}, Status: messages.RedialPending,
		CreatedAt: at, UpdatedAt: at, AttemptsByDay: map[string]int{},
	}
}

// countAttempt counts one attempt on at's business-zone day.
func (r *Redial) countAttempt(rec *messages.RedialRecord, at time.Time) {
	if rec.AttemptsByDay == nil {
		rec.AttemptsByDay = map[string]int{}
	}
	rec.Attempts++
	rec.AttemptsByDay[r.hours().Day(at)]++
}

func appendCapped[T any](s []T, v T, n int) []T {
	s = append(s, v)
	if len(s) > n {
		s = slices.Clone(s[len(s)-n:])
	}
	return s
}

// evict keeps at most max_records records by dropping the completed ones
// updated longest ago, plus 1% of the bound more so a full set does not sort
// on every new record. Records still in the cadence are never evicted.
func (r *Redial) evict() {
	limit := r.d.Cfg.MaxRecords
	if limit <= 0 || len(r.index) <= limit {
		return
	}
	var done []*slim
	for _, s := range r.index {
		if s.status == stDone {
			done = append(done, s)
		}
	}
	slices.SortFunc(done, func(a, b *slim) int {
		return cmp.Or(cmp.Compare(a.updated, b.updated), cmp.Compare(a.phone, b.phone))
	})
	n := min(len(r.index)-limit+limit/100, len(done))
	if n == 0 {
		r.d.Log.Warn("redial records over max_records and none completed; kept", zap.Int("records", len(r.index)),
			zap.Int("max_records", limit))
		return
	}
	for _, s := range done[:n] {
		r.drop(s)
	}
	r.d.Metrics.setCounts(r.counts)
	r.d.Log.Info("oldest completed redial records evicted", zap.Int("evicted", n), zap.Int("records", len(r.index)),
		zap.Int("max_records", limit))
}
