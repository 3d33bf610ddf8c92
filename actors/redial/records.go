package redial

import (
	"cmp"
	"maps"
	"slices"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"go.uber.org/zap"

	"orchestrator/actors/store"
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
	rec, isNew := r.records[m.Phone], false
	if rec == nil {
		rec, isNew = newRecord(m.Phone, at), true
	}
	if m.CallID != "" && slices.Contains(rec.Calls, m.CallID) {
		r.d.Log.Debug("completion already counted", zap.String("call_id", m.CallID))
		return
	}
	old := rec.Status
	if isNew {
		old = ""
		r.records[m.Phone] = rec
	}
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
	if schedulable(rec.Status) {
		rec.NextDue, rec.Status, rec.Reason = NextDue(now, *rec, r.d.Cfg, r.hours(), r.rand())
	}
	if rec.Status == messages.RedialDone && old != messages.RedialDone {
		r.d.Log.Info("redial completed", zap.String("phone", rec.Phone.Masked()), zap.String("reason", rec.Reason),
			zap.Int("attempts", rec.Attempts))
	}
	r.changedBy(rec, old, m.Seq)
	if isNew {
		r.evict()
	}
	r.arm(c, now)
}

// leadReceived creates the record of a new lead, due Gap(1) after now: the
// gate dials a new lead itself and that call's completion re-plans it.
// Lead facts are the latest; a completed record reopens only when it was
// completed more than reopen_after ago.
func (r *Redial) leadReceived(c actor.Context, m messages.LeadReceived, now time.Time) {
	phone := m.Lead.Phone
	if phone == "" {
		return
	}
	lead := m.Lead
	lead.Extra = maps.Clone(lead.Extra)
	rec := r.records[phone]
	if rec == nil {
		rec = newRecord(phone, now)
		rec.Lead = lead
		rec.NextDue = firstDue(now, 1, r.d.Cfg, r.hours(), r.rand())
		r.records[phone] = rec
		r.changed(rec, "")
		r.evict()
		r.arm(c, now)
		return
	}
	old := rec.Status
	rec.Lead = lead
	switch {
	case old != messages.RedialDone:
		rec.UpdatedAt = now
	case now.Sub(rec.UpdatedAt) > r.d.Cfg.ReopenAfter:
		r.reopen(rec, now)
		r.d.Log.Info("completed redial reopened by a new lead", zap.String("phone", phone.Masked()))
	}
	// A completed record not reopened keeps UpdatedAt, so reopen_after
	// counts from its completion however often the CRM re-pushes the lead.
	r.changed(rec, old)
	r.arm(c, now)
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
	if limit <= 0 || len(r.records) <= limit {
		return
	}
	var done []*messages.RedialRecord
	for _, rec := range r.records {
		if rec.Status == messages.RedialDone {
			done = append(done, rec)
		}
	}
	slices.SortFunc(done, func(a, b *messages.RedialRecord) int {
		return cmp.Or(a.UpdatedAt.Compare(b.UpdatedAt), cmp.Compare(a.Phone, b.Phone))
	})
	n := min(len(r.records)-limit+limit/100, len(done))
	if n == 0 {
		r.d.Log.Warn("redial records over max_records and none completed; kept", zap.Int("records", len(r.records)),
			zap.Int("max_records", limit))
		return
	}
	changes := make([]store.Change, 0, n)
	for _, rec := range done[:n] {
		delete(r.records, rec.Phone)
		r.counts[rec.Status]--
		changes = append(changes, store.Change{Key: recPrefix + string(rec.Phone)})
	}
	if err := r.d.Bucket.Commit(0, changes...); err != nil {
		r.d.Log.Error("evicted redial records not deleted from the store", zap.Error(err))
	}
	r.d.Metrics.setCounts(r.counts)
	r.d.Log.Info("oldest completed redial records evicted", zap.Int("evicted", n), zap.Int("records", len(r.records)),
		zap.Int("max_records", limit))
}
