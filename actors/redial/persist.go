package redial

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"time"

	"go.uber.org/zap"

	"orchestrator/actors/store"
	"orchestrator/messages"
)

// Keys in the "redial" bucket: per phone the full record and its index
// entry (codec.go), always written together; and the lead intake's
// position.
const (
	recPrefix = "rec/"
	idxPrefix = "idx/"
)

var errNoRecord = errors.New("no stored record")

// load reads the index entries (never the full records, so a restart
// decodes a few dozen bytes per phone) and rebuilds the counts and the due
// heap. A state file written before the index existed is indexed from its
// full records once.
func (r *Redial) load() error {
	r.reset()
	err := r.d.Bucket.LoadPrefix(idxPrefix, func(k, v []byte) error {
		phone := messages.Phone(k[len(idxPrefix):])
		s := &slim{}
		if err := s.decode(phone, v, r.strs); err != nil {
			r.d.Log.Error("redial index entry unreadable; rebuilt from its record", zap.String("phone", phone.Masked()))
			s = nil
		}
		r.loaded(phone, s)
		return nil
	})
	if err == nil && len(r.index) == 0 {
		err = r.indexRecords()
	}
	r.due.init()
	r.d.Metrics.setCounts(r.counts)
	if err != nil {
		return fmt.Errorf("redial: load records: %w", err)
	}
	r.commit() // the entries rebuilt, if any
	return nil
}

// loaded adds a loaded index entry; nil rebuilds it from the full record.
func (r *Redial) loaded(phone messages.Phone, s *slim) {
	if s == nil {
		rec, err := r.stored(phone)
		if err != nil {
			r.d.Log.Error("redial record unreadable; skipped", zap.String("phone", phone.Masked()), zap.Error(err))
			return
		}
		s = &slim{}
		s.fill(rec, r.strs)
		r.dirty[phone] = rec
	}
	r.index[phone] = s
	r.counts[s.statusName()]++
	if schedulable(s.status) && s.nextDue != 0 {
		r.due = append(r.due, entry{due: s.nextDue, s: s})
	}
}

// indexRecords indexes the full records of a state file without an index.
func (r *Redial) indexRecords() error {
	var phones []messages.Phone
	err := r.d.Bucket.LoadPrefix(recPrefix, func(k, _ []byte) error {
		phones = append(phones, messages.Phone(k[len(recPrefix):]))
		return nil
	})
	for _, p := range phones {
		r.loaded(p, nil)
	}
	if len(phones) > 0 {
		r.d.Log.Info("redial records indexed", zap.Int("records", len(r.index)))
	}
	return err
}

func (r *Redial) reset() {
	r.enabled = r.d.Cfg.Enabled
	r.index = map[messages.Phone]*slim{}
	r.due = nil
	r.inflight = map[messages.Phone]flight{}
	r.counts = map[string]int{}
	r.armedAt = time.Time{}
	r.strs = interner{}
	r.dirty, r.gone, r.dirtyApplied = map[messages.Phone]*messages.RedialRecord{}, map[messages.Phone]bool{}, 0
}

// stored reads a full record from the state file.
func (r *Redial) stored(phone messages.Phone) (*messages.RedialRecord, error) {
	raw, err := r.d.Bucket.Get(recPrefix + string(phone))
	if err != nil {
		return nil, err
	}
	if raw == nil {
		return nil, errNoRecord
	}
	return decodeRecord(raw)
}

// full is s's full record: the one changed since the last commit, else the
// stored one. Callers that change it hand it to put. A record the store
// cannot give back is rebuilt from the index (its history is lost), so the
// cadence goes on.
func (r *Redial) full(s *slim) *messages.RedialRecord {
	if rec := r.dirty[s.phone]; rec != nil {
		return rec
	}
	rec, err := r.stored(s.phone)
	if err != nil {
		r.d.Log.Error("redial record unreadable; rebuilt from its index entry", zap.String("phone", s.phone.Masked()), zap.Error(err))
		return s.record()
	}
	return rec
}

// record is a full record with what the index knows.
func (s *slim) record() *messages.RedialRecord {
	rec := newRecord(s.phone, unixTime(s.created))
	rec.Status, rec.Reason, rec.NextDue, rec.UpdatedAt = s.statusName(), s.reason, s.due(), unixTime(s.updated)
	rec.Attempts, rec.LastOutcome = int(s.attempts), s.last
	for _, d := range s.days {
		if d.day != 0 {
			rec.AttemptsByDay[civil(d.day).Format("2006-01-02")] = int(d.n)
		}
	}
	return rec
}

// put accounts for a changed full record: its index entry, the counts and
// the due heap now, the state file with the next commit. seq is the journal
// sequence of the completion applied (0: none), committed with it as the
// applied sequence, which is what a restart asks the calls actor to resend
// after.
func (r *Redial) put(rec *messages.RedialRecord, seq uint64) {
	s, old := r.index[rec.Phone], ""
	if s == nil {
		s = &slim{}
		r.index[rec.Phone] = s
	} else {
		old = s.statusName()
	}
	s.fill(rec, r.strs)
	if old != rec.Status {
		if old != "" {
			r.counts[old]--
		}
		r.counts[rec.Status]++
		r.d.Metrics.setCounts(r.counts)
	}
	r.dirty[rec.Phone] = rec
	delete(r.gone, rec.Phone)
	r.dirtyApplied = max(r.dirtyApplied, seq)
	r.schedule(s)
	r.flushSoon()
}

// drop forgets a phone; its heap entries go stale.
func (r *Redial) drop(s *slim) {
	delete(r.index, s.phone)
	r.counts[s.statusName()]--
	s.status = 0 // not schedulable: its heap entries are skipped
	delete(r.dirty, s.phone)
	r.gone[s.phone] = true
	r.flushSoon()
}

// flushSoon commits once the messages already waiting are handled, so a
// burst of changes shares one transaction (one fsync) and an idle change
// waits for nothing else.
func (r *Redial) flushSoon() {
	if r.flushQueued || r.send == nil {
		return
	}
	r.flushQueued = true
	r.send(r.self, flushTick{})
}

// commit writes the changed records and index entries, the removals, the
// completions' applied sequence and the lead position in one transaction.
// On failure everything stays pending (the records are in memory) and goes
// with the next commit, so a lead's position is never stored without its
// record, nor a completion's sequence without its attempt.
func (r *Redial) commit() {
	pos := r.leads.pos
	if len(r.dirty) == 0 && len(r.gone) == 0 && pos == r.leads.stored {
		return
	}
	changes := make([]store.Change, 0, 2*(len(r.dirty)+len(r.gone))+1)
	for phone, rec := range r.dirty {
		changes = append(changes, store.Change{Key: recPrefix + string(phone), Value: encodeRecord(rec)},
			store.Change{Key: idxPrefix + string(phone), Value: r.index[phone].encode()})
	}
	for phone := range r.gone {
		changes = append(changes, store.Change{Key: recPrefix + string(phone)}, store.Change{Key: idxPrefix + string(phone)})
	}
	if pos != r.leads.stored {
		changes = append(changes, leadPosChange(pos))
	}
	slices.SortFunc(changes, func(a, b store.Change) int { return cmp.Compare(a.Key, b.Key) }) // bbolt writes sorted keys best
	if err := r.d.Bucket.Commit(r.dirtyApplied, changes...); err != nil {
		r.d.Log.Error("redial records not stored; kept in memory and retried with the next change",
			zap.Int("records", len(r.dirty)+len(r.gone)), zap.Error(err))
		return
	}
	if len(r.dirty) > 1024 { // a big batch (a migration): give its memory back
		r.dirty = map[messages.Phone]*messages.RedialRecord{}
	}
	clear(r.dirty)
	clear(r.gone)
	r.dirtyApplied, r.leads.stored = 0, pos
}

// schedulable says whether a record waits for a due time (in the heap).
func schedulable(status uint8) bool {
	return status == stPending || status == stDailyCap || status == stCallback
}

// waiting is schedulable for a status name.
func waiting(status string) bool { return schedulable(statusCode(status)) }
