package sms

import (
	"cmp"
	"slices"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"go.uber.org/zap"

	"orchestrator/messages"
)

const (
	defaultLimit = 50
	maxLimit     = 1000
)

// status counts the sequences; SentToday walks them (an admin request, not a tick).
func (s *SMS) status(now time.Time) messages.SMSStatus {
	st := messages.SMSStatus{Enabled: s.enabled, Counts: map[string]int{}, InFlight: len(s.flights) + len(s.cuts),
		PendingActions: len(s.actions)}
	for k, n := range s.counts {
		if n > 0 {
			st.Counts[k] = n
		}
	}
	hours := s.d.Schedule.Hours()
	today := hours.Day(now)
	for _, seq := range s.seqs {
		for _, m := range seq.Messages {
			if hours.Day(m.At) == today {
				st.SentToday++
			}
		}
	}
	if e, ok := s.earliest(); ok {
		st.NextDue = e.due
	}
	return st
}

// list returns a page of sequences, newest first, filtered by status;
// copies, so the asker never shares our slices.
func (s *SMS) list(m messages.GetSMSSequences) messages.SMSSequences {
	var sel []*messages.SMSSequence
	for _, seq := range s.seqs {
		if m.Status == "" || seq.Status == m.Status {
			sel = append(sel, seq)
		}
	}
	slices.SortFunc(sel, func(a, b *messages.SMSSequence) int {
		return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), cmp.Compare(a.Phone, b.Phone))
	})
	limit := m.Limit
	if limit <= 0 {
		limit = defaultLimit
	}
	limit = min(limit, maxLimit)
	from := min(max(m.Offset, 0), len(sel))
	to := min(from+limit, len(sel))
	out := messages.SMSSequences{Total: len(sel), Sequences: make([]messages.SMSSequence, 0, to-from)}
	for _, seq := range sel[from:to] {
		out.Sequences = append(out.Sequences, clone(seq))
	}
	return out
}

func clone(seq *messages.SMSSequence) messages.SMSSequence {
	c := *seq
	c.Messages = slices.Clone(seq.Messages)
	return c
}

// cancelByOperator ends a phone's active sequence; a finished one is
// answered as it is.
func (s *SMS) cancelByOperator(c actor.Context, phone messages.Phone, now time.Time) messages.SMSChanged {
	seq, ok := s.seqs[phone]
	if !ok {
		return messages.SMSChanged{}
	}
	if seq.Status == messages.SMSActive {
		s.finish(seq, messages.SMSCancelled, "operator", now)
		_ = s.commit(seqChange(seq))
		s.arm(now)
		s.d.Log.Info("sms sequence cancelled by an operator", zap.String("phone", phone.Masked()))
	}
	out := clone(seq)
	return messages.SMSChanged{Found: true, Sequence: &out}
}
