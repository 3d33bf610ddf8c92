package sms

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.uber.org/zap"

	"orchestrator/actors/store"
	"orchestrator/messages"
)

// Keys in the "sms" bucket. The bucket's applied sequence is the replies'
// place in the journal; completionsKey is the latest completion applied.
const (
	seqPrefix      = "seq/"
	actionPrefix   = "act/"
	completionsKey = "meta/completions_seq"
)

// load rebuilds the sequences, the due heap and the pending actions. A text
// whose intent was recorded but whose answer never was may have gone out: it
// is held as a cut text until the provider's history tells (reconcile.go).
func (s *SMS) load(now time.Time) error {
	s.enabled = s.d.Cfg.Enabled
	s.seqs, s.counts, s.due, s.armedAt = map[messages.Phone]*messages.SMSSequence{}, map[string]int{}, nil, time.Time{}
	s.flights, s.checks, s.zones = map[messages.Phone]*flight{}, map[string]messages.Phone{}, map[string]Zone{}
	s.cuts = map[messages.Phone]*cut{}
	intents := map[messages.Phone]*intentRecord{}
	s.actions, s.asking = map[string]*action{}, map[string]time.Time{}
	s.leads = newLeadCache(leadCacheSize)
	applied, err := s.d.Bucket.Applied()
	if err != nil {
		return fmt.Errorf("sms: load applied sequence: %w", err)
	}
	s.replies = intake{pos: applied}
	var changes []store.Change
	err = s.d.Bucket.Load(func(k, v []byte) error {
		key := string(k)
		switch {
		case strings.HasPrefix(key, seqPrefix):
			seq := &messages.SMSSequence{}
			if err := json.Unmarshal(v, seq); err != nil {
				s.d.Log.Error("sms sequence unreadable; skipped", zap.String("key", key), zap.Error(err))
				return nil
			}
			s.seqs[seq.Phone] = seq
			s.counts[seq.Status]++
		case strings.HasPrefix(key, intentPrefix):
			rec := &intentRecord{}
			if err := json.Unmarshal(v, rec); err == nil {
				intents[messages.Phone(strings.TrimPrefix(key, intentPrefix))] = rec
			}
		case strings.HasPrefix(key, actionPrefix):
			a := &action{}
			if err := json.Unmarshal(v, a); err != nil {
				s.d.Log.Error("sms reply action unreadable; skipped", zap.String("key", key), zap.Error(err))
				return nil
			}
			if a.Kind == actCallback && a.Requested {
				// Asked for before the last stop: it may have been dialled.
				s.d.Log.Warn("a call-back asked for by an SMS reply had no answer before the stop; not asked again",
					zap.String("phone", a.Phone.Masked()), zap.String("action", a.ID))
				changes = append(changes, store.Change{Key: actionPrefix + a.ID})
				return nil
			}
			s.actions[a.ID] = a
		case key == completionsKey:
			_ = json.Unmarshal(v, &s.completions)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sms: load: %w", err)
	}
	for _, seq := range s.seqs {
		if s.settleIntents(seq, intents[seq.Phone], now) {
			changes = append(changes, seqChange(seq))
		}
	}
	for phone := range intents {
		if s.cuts[phone] == nil {
			changes = append(changes, intentDone(phone)) // answered, or its sequence is gone
		}
	}
	changes = append(changes, s.replanAll(now)...)
	s.d.Metrics.setCounts(s.counts)
	s.d.Metrics.pending.Set(float64(len(s.actions)))
	if len(changes) > 0 {
		if err := s.d.Bucket.Commit(0, changes...); err != nil {
			return fmt.Errorf("sms: store settled intents: %w", err)
		}
	}
	return nil
}

// settleIntents holds the last unanswered intent of seq as a cut text, to
// be looked up in the provider's history. Any other (not left by this
// version, which has one text on its way per phone) or one with no words to
// look for is unknown: counted as sent, never sent again.
func (s *SMS) settleIntents(seq *messages.SMSSequence, rec *intentRecord, now time.Time) bool {
	held := -1
	for i := len(seq.Messages) - 1; i >= 0; i-- {
		if seq.Messages[i].State == messages.SMSSending {
			if s.holdIntent(seq, seq.Messages[i], rec) {
				held = i
			}
			break
		}
	}
	changed := false
	for i := range seq.Messages {
		m := &seq.Messages[i]
		if m.State != messages.SMSSending || i == held {
			continue
		}
		m.State, changed = messages.SMSUnknown, true
		seq.Next = max(seq.Next, m.Position+1)
		seq.UpdatedAt = now
		s.d.Metrics.count(resultUnknown)
		s.d.Log.Warn("an SMS intent has no provider answer from before the stop; counted as sent, never sent again",
			zap.String("phone", seq.Phone.Masked()), zap.Int("position", m.Position), zap.Time("intent_at", m.At))
	}
	if changed && seq.Status == messages.SMSActive && seq.Next >= len(s.d.Cfg.Templates) {
		s.setStatus(seq, messages.SMSCompleted, "every template sent", now)
	}
	return changed
}

// replanAll recomputes every active sequence's due time (in memory only: it
// depends on now and the config) and rebuilds the heap. It returns the
// changes of the sequences it completed (fewer templates than before).
func (s *SMS) replanAll(now time.Time) []store.Change {
	s.due = s.due[:0]
	var changes []store.Change
	for _, seq := range s.seqs {
		if seq.Status != messages.SMSActive {
			continue
		}
		if seq.Next >= len(s.d.Cfg.Templates) {
			s.finish(seq, messages.SMSCompleted, "every template sent", now)
			changes = append(changes, seqChange(seq))
			continue
		}
		seq.NextDue = s.plan(seq, now)
		if !seq.NextDue.IsZero() {
			s.due = append(s.due, entry{due: seq.NextDue, phone: seq.Phone})
		}
	}
	s.due.init()
	return changes
}

func seqChange(seq *messages.SMSSequence) store.Change {
	raw, err := json.Marshal(seq)
	if err != nil { // strings, ints and times: cannot happen
		panic(fmt.Sprintf("sms: encode sequence: %v", err))
	}
	return store.Change{Key: seqPrefix + string(seq.Phone), Value: raw}
}

func metaChange(completions uint64) store.Change {
	raw, _ := json.Marshal(completions)
	return store.Change{Key: completionsKey, Value: raw}
}

// commit writes changes, with the replies' journal position and the latest
// completion applied, synchronously: a text's intent must be durable before
// the provider is asked. Changes that fail stay staged and go with the next
// commit, so a reply's actions are never stored without the reply's
// position, nor the position without them.
func (s *SMS) commit(changes ...store.Change) error {
	s.staged = append(s.staged, changes...)
	all := append(s.staged, metaChange(s.completions))
	if err := s.d.Bucket.Commit(s.replies.pos, all...); err != nil {
		s.d.Log.Error("sms state not stored; retried with the next change", zap.Int("changes", len(s.staged)), zap.Error(err))
		return err
	}
	s.staged = s.staged[:0]
	s.metaDirty = false
	return nil
}

// flushMeta stores the completion and reply positions when only they moved.
func (s *SMS) flushMeta() {
	if s.metaDirty {
		_ = s.commit()
	}
}

// markMeta notes a position change worth storing soon, not at once: losing
// it costs only a harmless re-application after a crash.
func (s *SMS) markMeta() {
	if !s.metaDirty {
		s.metaDirty = true
		s.timers.After("flush", time.Second, flushTick{})
	}
}

// setStatus moves seq to status, keeping the counts and the gauge right.
func (s *SMS) setStatus(seq *messages.SMSSequence, status, reason string, now time.Time) {
	if seq.Status != status {
		if seq.Status != "" {
			s.counts[seq.Status]--
		}
		s.counts[status]++
		s.d.Metrics.setCounts(s.counts)
	}
	seq.Status, seq.Reason, seq.UpdatedAt = status, reason, now
}

// finish ends seq with status; the caller stores it.
func (s *SMS) finish(seq *messages.SMSSequence, status, reason string, now time.Time) {
	s.setStatus(seq, status, reason, now)
	seq.NextDue = time.Time{}
	s.d.Log.Info("sms sequence ended", zap.String("phone", seq.Phone.Masked()), zap.String("status", status),
		zap.String("reason", reason), zap.Int("sent", len(seq.Messages)))
}

// evict keeps at most sms.max_sequences by dropping the finished sequences
// updated longest ago (1% more, so a full set does not sort on every new
// one). Active sequences are never evicted.
func (s *SMS) evict() {
	limit := s.d.Cfg.MaxSequences
	if limit <= 0 || len(s.seqs) <= limit {
		return
	}
	var done []*messages.SMSSequence
	for _, seq := range s.seqs {
		if seq.Status != messages.SMSActive {
			done = append(done, seq)
		}
	}
	slices.SortFunc(done, func(a, b *messages.SMSSequence) int {
		return cmp.Or(a.UpdatedAt.Compare(b.UpdatedAt), cmp.Compare(a.Phone, b.Phone))
	})
	n := min(len(s.seqs)-limit+limit/100, len(done))
	changes := make([]store.Change, 0, n)
	for _, seq := range done[:n] {
		delete(s.seqs, seq.Phone)
		s.counts[seq.Status]--
		changes = append(changes, store.Change{Key: seqPrefix + string(seq.Phone)})
	}
	s.d.Metrics.setCounts(s.counts)
	if err := s.d.Bucket.Commit(0, changes...); err != nil {
		s.d.Log.Error("evicted sms sequences not deleted from the store", zap.Error(err))
	}
	s.d.Log.Info("oldest finished sms sequences evicted", zap.Int("evicted", n), zap.Int("max_sequences", limit))
}
