package sms

import (
	"strings"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"go.uber.org/zap"

	"orchestrator/messages"
)

// leadCacheSize bounds the lead facts kept for phones with no sequence yet
// (a lead is dialled before its completion can start a sequence).
const leadCacheSize = 10000

// callCompleted starts a sequence on a trigger outcome, or ends one on a
// stop outcome. Applying a completion twice changes nothing: a later
// trigger keeps the original anchor and a finished sequence never restarts.
func (s *SMS) callCompleted(c actor.Context, m messages.CallCompleted, now time.Time) {
	if m.Seq > s.completions {
		s.completions = m.Seq
		s.markMeta()
	}
	if m.Phone == "" {
		return
	}
	seq := s.seqs[m.Phone]
	switch {
	case stopOutcome(m.Outcome):
		if seq != nil && seq.Status == messages.SMSActive {
			s.finish(seq, messages.SMSCancelled, "outcome "+string(m.Outcome), now)
			_ = s.commit(seqChange(seq))
			s.arm(now)
		}
	case m.Inbound || !s.enabled || !s.trigger(m.Outcome):
	case seq != nil:
		if seq.Status == messages.SMSActive && s.updateLead(seq, leadOf(m), now) {
			_ = s.commit(seqChange(seq))
		}
	default:
		s.startSequence(c, m, now)
	}
}

// startSequence anchors a new sequence at the completion and sends its
// first text at once when the lead's hours allow it.
func (s *SMS) startSequence(c actor.Context, m messages.CallCompleted, now time.Time) {
	anchor := m.CompletedAt
	if anchor.IsZero() {
		anchor = now
	}
	if gaps := s.d.Cfg.DayGaps; len(gaps) > 0 && now.Sub(anchor) > time.Duration(gaps[len(gaps)-1]+1)*24*time.Hour {
		// A call older than the whole drip (a completion resent or replayed
		// long after): its texts would all be late, and a burst of them is
		// worse than none.
		s.d.Log.Info("trigger older than the whole drip; no sequence", zap.String("phone", m.Phone.Masked()),
			zap.Time("completed_at", anchor))
		return
	}
	lead := leadOf(m)
	if cached, ok := s.leads.get(m.Phone); ok {
		mergeLead(&lead, cached)
	}
	seq := &messages.SMSSequence{Phone: m.Phone, Lead: lead, Anchor: anchor.UTC(), CreatedAt: now,
		Messages: []messages.SMSMessage{}}
	s.setStatus(seq, messages.SMSActive, "", now)
	s.seqs[m.Phone] = seq
	s.replan(seq, now)
	_ = s.commit(seqChange(seq))
	s.d.Log.Info("sms sequence started", zap.String("phone", m.Phone.Masked()), zap.String("lead_id", lead.LeadID),
		zap.String("outcome", string(m.Outcome)), zap.Time("next_due", seq.NextDue))
	s.evict()
	s.process(c, now)
}

// leadReceived keeps the CRM's facts of a lead: on its sequence when it has
// one (latest wins), else until a completion starts one.
func (s *SMS) leadReceived(m messages.LeadReceived, now time.Time) {
	l := m.Lead
	facts := messages.SMSLead{LeadID: l.LeadID, ListID: l.ListID, FirstName: l.FirstName, LastName: l.LastName, State: l.State}
	if seq := s.seqs[l.Phone]; seq != nil {
		if s.updateLead(seq, facts, now) {
			_ = s.commit(seqChange(seq))
			s.arm(now)
		}
		return
	}
	if l.Phone != "" {
		s.leads.put(l.Phone, facts)
	}
}

// updateLead merges facts into seq's lead and re-plans it when its state
// (and so its zone) changed; it reports whether anything changed.
func (s *SMS) updateLead(seq *messages.SMSSequence, facts messages.SMSLead, now time.Time) bool {
	old := seq.Lead
	mergeLead(&seq.Lead, facts)
	if seq.Lead == old {
		return false
	}
	seq.UpdatedAt = now
	if seq.Lead.State != old.State && seq.Status == messages.SMSActive {
		if _, busy := s.flights[seq.Phone]; !busy {
			s.replan(seq, now)
		}
	}
	return true
}

// mergeLead overwrites dst's fields with src's non-empty ones.
func mergeLead(dst *messages.SMSLead, src messages.SMSLead) {
	set := func(d *string, v string) {
		if v = strings.TrimSpace(v); v != "" {
			*d = v
		}
	}
	set(&dst.LeadID, src.LeadID)
	set(&dst.ListID, src.ListID)
	set(&dst.FirstName, src.FirstName)
	set(&dst.LastName, src.LastName)
	set(&dst.State, src.State)
}

// leadOf is what a completion tells of its lead: ids, and the names and
// state the provider echoes from the request data of our call.
func leadOf(m messages.CallCompleted) messages.SMSLead {
	return messages.SMSLead{LeadID: m.LeadID, ListID: m.ListID, FirstName: m.Variables["first_name"],
		LastName: m.Variables["last_name"], State: m.Variables["state"]}
}

// trigger reports whether o is one of sms.triggers.
func (s *SMS) trigger(o messages.Outcome) bool {
	for _, t := range s.d.Cfg.Triggers {
		if strings.EqualFold(t, string(o)) {
			return true
		}
	}
	return false
}

// stopOutcome reports the outcomes that end a drip: the lead was reached
// (TRANSFERRED, SALE) or must not be contacted (DNC).
func stopOutcome(o messages.Outcome) bool {
	return o == messages.OutcomeTransferred || o == messages.OutcomeSale || o == messages.OutcomeDNC
}

// leadCache is a bounded map of lead facts; the oldest phone goes first.
type leadCache struct {
	facts map[messages.Phone]messages.SMSLead
	ring  []messages.Phone
	next  int
}

func newLeadCache(size int) leadCache {
	return leadCache{facts: map[messages.Phone]messages.SMSLead{}, ring: make([]messages.Phone, size)}
}

func (l *leadCache) put(p messages.Phone, facts messages.SMSLead) {
	if _, ok := l.facts[p]; !ok {
		if old := l.ring[l.next]; old != "" {
			delete(l.facts, old)
		}
		l.ring[l.next] = p
		l.next = (l.next + 1) % len(l.ring)
	}
	l.facts[p] = facts
}

func (l *leadCache) get(p messages.Phone) (messages.SMSLead, bool) {
	f, ok := l.facts[p]
	return f, ok
}
