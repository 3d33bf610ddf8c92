package calls

import (
	"slices"
	"time"

	"go.uber.org/zap"

	"orchestrator/actors/store"
	"orchestrator/messages"
)

// The prune (daily) forgets calls a week after they ended, with their index
// keys, the lead dial log past calls.duplicate_window and idle phones with no
// attempt today. It walks the state file pruneChunk keys per message, so the
// gate is never kept waiting for a whole week of calls.
const (
	pruneAfter = 7 * 24 * time.Hour
	pruneChunk = 1024
)

// pruneStep is the walk's next chunk: the keys of prefix after `after`.
type pruneStep struct {
	prefix string
	after  string
}

// prunePrefixes are walked in this order.
var prunePrefixes = []string{callPrefix, dialledPrefix, phonePrefix}

// prune starts the daily walk, and forgets in memory the lead dials past
// the window and the post-transfer holds that have passed.
func (s *Calls) prune() {
	if s.pruned != nil {
		return // the last walk is still going
	}
	s.pruned = &pruneCount{}
	now := s.now()
	s.sweepLeads(now)
	s.sweepHolds(now)
	s.pruneSome(pruneStep{prefix: prunePrefixes[0]})
}

// pruneCount is what a walk removed.
type pruneCount struct{ calls, dials, phones int }

// pruneSome prunes one chunk and schedules the next.
func (s *Calls) pruneSome(m pruneStep) {
	if s.pruned == nil {
		return // asked by an earlier incarnation
	}
	now := s.now()
	var (
		n    int
		last string
	)
	err := s.d.Bucket.LoadFrom(m.prefix, m.after+"\x00", func(k, v []byte) error {
		if n == pruneChunk {
			return errStop
		}
		switch m.prefix {
		case callPrefix:
			s.pruneCall(v, now)
		case dialledPrefix:
			if now.Sub(dialLogLast(k).Time()) < s.d.Cfg.DuplicateWindow {
				return errStop // the log is in time order: the rest is within the window
			}
			s.staged = append(s.staged, store.Change{Key: string(k)})
			s.pruned.dials++
		case phonePrefix:
			s.prunePhone(messages.Phone(k[len(phonePrefix):]), v, now)
		}
		n, last = n+1, string(k)
		return nil
	})
	scanned(err)
	if len(s.staged) > 0 {
		_ = s.commitLogged()
	}
	next := slices.Index(prunePrefixes, m.prefix) + 1
	switch {
	case n == pruneChunk:
		s.timers.After("prune/step", 0, pruneStep{prefix: m.prefix, after: last})
	case next < len(prunePrefixes):
		s.timers.After("prune/step", 0, pruneStep{prefix: prunePrefixes[next]})
	default:
		c := *s.pruned
		s.pruned = nil
		s.d.Log.Info("pruned the state file", zap.Int("calls", c.calls), zap.Int("lead_dial_commits", c.dials),
			zap.Int("phones", c.phones))
	}
}

// pruneCall deletes a stored call that ended more than pruneAfter ago, with
// its index keys, unless it is in memory (changed, or still holding its phone).
func (s *Calls) pruneCall(v []byte, now time.Time) {
	cl, err := decodeCall(v, s.strs)
	if err != nil || cl.active() || s.calls[cl.Intent] != nil {
		return
	}
	if s.holding(cl.Phone) == cl.Intent {
		return // a dial cut by a stop, unknown but holding its phone until calls.pending_timeout
	}
	ended := cl.EndedAt
	if ended == 0 {
		ended = cl.RequestedAt // a dial cut by a stop ended at no recorded instant
	}
	if now.Sub(ended.Time()) < pruneAfter {
		return
	}
	s.staged = append(s.staged, store.Change{Key: callPrefix + cl.Intent})
	if cl.CallID != "" {
		s.staged = append(s.staged, store.Change{Key: callIDPrefix + cl.CallID})
	}
	if cl.State == stateDone && cl.CompletedSeq != 0 {
		s.staged = append(s.staged, store.Change{Key: pubKey(cl.PublishedSeq, cl.CompletedSeq)})
	}
	s.pruned.calls++
}

// prunePhone deletes a stored phone that holds nothing and has no attempt
// today; one in memory is in use.
func (s *Calls) prunePhone(ph messages.Phone, v []byte, now time.Time) {
	if _, held := s.holds[ph]; held || s.phones[ph] != nil {
		return
	}
	p, err := decodePhone(v)
	if err != nil || !p.idle(now) || p.attemptsOn(s.d.Schedule.Hours().Day(now)) > 0 {
		return
	}
	s.staged = append(s.staged, deletePhone(ph))
	s.pruned.phones++
}
