package calls

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.uber.org/zap"

	"orchestrator/actors/store"
)

// layout is the version of the bucket's layout. 2 keeps ended calls in the
// state file only: it adds the call-id and publication indexes, the lead
// dial log and the meta keys (persist.go) to the calls and phones of 1.
const layout = 2

// leadPrefix keys (each lead's last dial) were written by the first
// version; the upgrade deletes them.
const leadPrefix = "lead/"

// migrate brings a state file of an earlier layout to this one, once, by
// reading every stored call: the only start that does. A new state file is
// only marked.
func (s *Calls) migrate() error {
	v, err := s.d.Bucket.Get(layoutKey)
	if err != nil || len(v) == 1 && v[0] >= layout {
		return err
	}
	began, now := time.Now(), s.now()
	var (
		changes []store.Change
		dials   []leadDial
		next    uint64
		ahead   []uint64
		calls   int
	)
	err = s.d.Bucket.Load(func(k, v []byte) error {
		switch {
		case bytes.HasPrefix(k, []byte(callPrefix)):
			cl, err := decodeCall(v, s.strs)
			if err != nil {
				return fmt.Errorf("%s: %w", k, err)
			}
			calls++
			changes = append(changes, indexesOf(cl)...)
			next = max(next, intentNumber(cl.Intent))
			if cl.Kind != kindInbound && cl.Lead.LeadID != "" && now.Sub(cl.RequestedAt.Time()) < s.d.Cfg.DuplicateWindow {
				dials = append(dials, leadDial{lead: cl.Lead.LeadID, at: cl.RequestedAt})
			}
			if cl.LeadSeq > s.applied {
				ahead = append(ahead, cl.LeadSeq)
			}
		case bytes.HasPrefix(k, []byte(leadPrefix)):
			changes = append(changes, store.Change{Key: string(k)})
		}
		return nil
	})
	if err != nil {
		return err
	}
	changes = append(changes, dialLogChange(dials, next)...)
	changes = append(changes,
		store.Change{Key: nextIntentKey, Value: binary.BigEndian.AppendUint64(nil, next)},
		store.Change{Key: aheadKey, Value: encodeSeqs(ahead)},
		store.Change{Key: layoutKey, Value: []byte{layout}})
	// In key order: bbolt splits a page only when the transaction commits,
	// so random inserts into one transaction cost a copy of a growing page each.
	slices.SortFunc(changes, func(a, b store.Change) int { return strings.Compare(a.Key, b.Key) })
	if err := s.d.Bucket.Commit(s.applied, changes...); err != nil {
		return err
	}
	if calls > 0 {
		s.d.Log.Info("calls state file upgraded: ended calls are now read from it", zap.Int("calls", calls),
			zap.Duration("took", time.Since(began)))
	}
	return nil
}

// indexesOf are the index keys of a stored call.
func indexesOf(cl *call) []store.Change {
	var out []store.Change
	if cl.CallID != "" {
		out = append(out, store.Change{Key: callIDPrefix + cl.CallID, Value: []byte(cl.Intent)})
	}
	if cl.State == stateDone && cl.CompletedSeq != 0 {
		out = append(out, store.Change{Key: pubKey(cl.PublishedSeq, cl.CompletedSeq), Value: []byte(cl.Intent)})
	}
	return out
}
