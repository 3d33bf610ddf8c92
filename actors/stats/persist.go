package stats

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"go.uber.org/zap"

	"orchestrator/actors/store"
	"orchestrator/messages"
)

// batch is what changed since the last commit.
type batch struct {
	days map[string]bool     // days whose counters changed
	ids  map[string]seenCall // call ids counted, by call id
	drop []string            // id keys to delete (pruned)
}

func newBatch() batch { return batch{days: map[string]bool{}, ids: map[string]seenCall{}} }

func (b *batch) add(day, callID string, seq uint64) {
	b.days[day] = true
	b.ids[callID] = seenCall{day: day, seq: seq}
}

func (b *batch) empty() bool { return len(b.days) == 0 && len(b.ids) == 0 && len(b.drop) == 0 }

// armFlush arms the flush timer unless it is armed already: the first change
// after a commit starts the wait, later ones ride along.
func (s *Stats) armFlush() {
	if !s.timers.Has("flush") {
		s.timers.After("flush", flushEvery, flushTick{})
	}
}

func (s *Stats) flushTick() {
	if err := s.flushLogged(); err != nil {
		s.timers.After("flush", retryEvery, flushTick{})
	}
}

// flushLogged commits and logs a failure; what was not stored stays in the
// batch for the next try, and applied does not move, so even if no try
// succeeds the completions are resent after a restart.
func (s *Stats) flushLogged() error {
	err := s.flush()
	if err != nil {
		s.d.Log.Error("statistics not stored; will retry", zap.Int("days", len(s.batch.days)),
			zap.Int("call_ids", len(s.batch.ids)), zap.Uint64("applied_seq", s.applied), zap.Error(err))
	}
	return err
}

// flush prunes call ids when the day has changed, then writes the changed
// days, the new call ids and the pruned ones in one transaction, with the
// highest journal sequence handled as applied (unless a resend is running).
func (s *Stats) flush() error {
	s.prune(s.dayOf(s.now()))
	applied := s.pending
	if s.resending {
		applied = s.applied // Commit never moves it backwards
	}
	if s.batch.empty() && applied <= s.applied {
		return nil
	}
	changes := make([]store.Change, 0, len(s.batch.days)+len(s.batch.ids)+len(s.batch.drop))
	for day := range s.batch.days {
		changes = append(changes, store.Change{Key: dayKey(day), Value: encodeCounts(s.days[day])})
	}
	for id, sc := range s.batch.ids {
		changes = append(changes, store.Change{Key: idKey(sc.day, id), Value: encodeSeq(sc.seq)})
	}
	for _, key := range s.batch.drop {
		changes = append(changes, store.Change{Key: key})
	}
	// Key order is the order bbolt writes fastest.
	slices.SortFunc(changes, func(a, b store.Change) int { return strings.Compare(a.Key, b.Key) })
	if err := s.d.Bucket.Commit(applied, changes...); err != nil {
		return fmt.Errorf("stats: commit: %w", err)
	}
	s.applied = max(s.applied, applied)
	s.batch = newBatch()
	return nil
}

// prune forgets, once per business day, the call ids that left the dedupe
// window and cannot be delivered again: those staged, and those stored,
// found by a scan of the id keys of the days before the window (the keys
// are in day order, so the scan stops at the window).
func (s *Stats) prune(today string) {
	if today == s.prunedFor {
		return
	}
	s.prunedFor = today
	from := dedupeFrom(today, s.d.Cfg.DedupeDays)
	for id, sc := range s.batch.ids {
		if !remembered(sc.day, from, sc.seq, s.applied) {
			delete(s.batch.ids, id)
			s.seen.forget(id, sc.day, sc.seq)
		}
	}
	n := 0
	err := s.d.Bucket.LoadPrefix(idPrefix, func(k, v []byte) error {
		day, id, ok := parseIDKey(string(k))
		if !ok {
			return nil
		}
		if day >= from {
			return errPruned
		}
		if seq := decodeSeq(v); !remembered(day, from, seq, s.applied) {
			s.seen.forget(id, day, seq)
			s.batch.drop = append(s.batch.drop, string(k))
			n++
		}
		return nil
	})
	if err != nil && !errors.Is(err, errPruned) {
		s.prunedFor = "" // the next flush tries again
		s.d.Log.Error("call ids not pruned; will retry", zap.Error(err))
	}
	if n > 0 {
		s.d.Log.Info("call ids forgotten", zap.Int("call_ids", n), zap.String("before", from))
	}
}

// load reads the applied sequence, every day's counters and the call ids
// still remembered; ids past the window are deleted by the first flush.
func (s *Stats) load(today string) error {
	s.days, s.seen = map[string]messages.StatsCounts{}, newSeenSet()
	applied, err := s.d.Bucket.Applied()
	if err != nil {
		return fmt.Errorf("stats: load applied sequence: %w", err)
	}
	s.applied = applied
	err = s.d.Bucket.Load(func(k, v []byte) error {
		key := string(k)
		if date, ok := strings.CutPrefix(key, dayPrefix); ok {
			var c messages.StatsCounts
			if err := json.Unmarshal(v, &c); err != nil {
				s.d.Log.Error("stats day unreadable; it counts from zero until `orchestrator stats rebuild` recomputes it",
					zap.String("day", date), zap.Error(err))
				return nil
			}
			s.days[date] = c
			return nil
		}
		if date, id, ok := parseIDKey(key); ok {
			s.seen.add(id, date, decodeSeq(v))
			return nil
		}
		s.d.Log.Warn("unknown stats record; ignored", zap.String("key", key))
		return nil
	})
	if err != nil {
		return fmt.Errorf("stats: load: %w", err)
	}
	s.prune(today)
	return nil
}

// sortedDays lists the days counted, oldest first.
func (s *Stats) sortedDays() []string { return slices.Sorted(maps.Keys(s.days)) }
