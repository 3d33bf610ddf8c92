package stats

import (
	"fmt"
	"strings"

	"orchestrator/actors/store"
	"orchestrator/messages"
)

// Rebuilt is what `orchestrator stats rebuild` recomputed from the journal.
type Rebuilt struct {
	From, To string                          // the days replaced, inclusive (YYYY-MM-DD)
	Days     map[string]messages.StatsCounts // by date; a day in range without an entry had no calls
	Calls    []Counted                       // the calls counted, so the daemon does not count them again
	Today    string                          // business day of the rebuild, for the dedupe window
	Window   int                             // stats.dedupe_days
}

// Counted is one call a rebuild counted: its id, day and journal sequence.
type Counted struct {
	CallID string
	Day    string
	Seq    uint64
}

// Replace writes a rebuild into the stats bucket in one transaction: every
// stored day from r.From to r.To is replaced by its recomputed counters, or
// deleted when it has none, and the call ids the daemon would still remember
// are stored, so a completion the calls actor resends or publishes after the
// rebuild is not counted twice. Days outside the range, and the applied
// sequence, are left as they are. The daemon must not be running (the store
// is locked while it is).
func Replace(b *store.Bucket, r Rebuilt) error {
	applied, err := b.Applied()
	if err != nil {
		return fmt.Errorf("stats: replace: %w", err)
	}
	var changes []store.Change
	err = b.Load(func(k, _ []byte) error {
		if date, ok := strings.CutPrefix(string(k), dayPrefix); ok && date >= r.From && date <= r.To {
			if _, kept := r.Days[date]; !kept {
				changes = append(changes, store.Change{Key: string(k)})
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("stats: replace: %w", err)
	}
	for date, c := range r.Days {
		if date >= r.From && date <= r.To {
			changes = append(changes, store.Change{Key: dayKey(date), Value: encodeCounts(c)})
		}
	}
	from := dedupeFrom(r.Today, r.Window)
	for _, call := range r.Calls {
		if call.Day >= r.From && call.Day <= r.To && remembered(call.Day, from, call.Seq, applied) {
			changes = append(changes, store.Change{Key: idKey(call.Day, call.CallID), Value: encodeSeq(call.Seq)})
		}
	}
	if err := b.Commit(0, changes...); err != nil {
		return fmt.Errorf("stats: replace: %w", err)
	}
	return nil
}
