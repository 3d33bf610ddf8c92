package stats

import (
	"errors"
	"hash/maphash"

	"orchestrator/actors/internal/wire"
)

// seenSet is the call ids counted within the dedupe window, in ~24 bytes
// each instead of the id's string: a 64-bit hash of the id mapped to the day
// it counted for and its journal sequence, packed in one uint64 (slot).
// Every id counted is in the set, so a hash not found is a call not counted;
// a hash found is confirmed by the exact key (in the pending batch or the
// store), so an id that only shares a hash with another is counted. Such an
// id is then kept by its string in exact, as is one whose day or sequence
// does not fit a slot. The store's "id/<day>/<call_id>" keys stay the record
// of truth.
type seenSet struct {
	hash   func(string) uint64
	byHash map[uint64]uint64   // hash of the id → its slot
	exact  map[string]seenCall // ids sharing a hash, or not fitting a slot
}

// A slot is day<<seqBits | seq, the day counted from 1970-01-01 (to the
// year 4840 in the 20 bits left) and the sequence in seqBits (17.6 trillion
// journal records).
const (
	seqBits = 44
	seqMax  = 1<<seqBits - 1
	dayMax  = 1<<(64-seqBits) - 1
)

// packSlot is the slot of an id counted for day from journal record seq; ok
// is false when either does not fit.
func packSlot(day string, seq uint64) (slot uint64, ok bool) {
	n, ok := wire.DayIndex(day)
	if !ok || n < 0 || n > dayMax || seq > seqMax {
		return 0, false
	}
	return uint64(n)<<seqBits | seq, true
}

// slotDay is the day (YYYY-MM-DD) a slot was packed with.
func slotDay(slot uint64) string { return wire.DayOfIndex(int(slot >> seqBits)) }

func newSeenSet() seenSet {
	seed := maphash.MakeSeed()
	return seenSet{hash: func(id string) uint64 { return maphash.String(seed, id) },
		byHash: map[uint64]uint64{}, exact: map[string]seenCall{}}
}

func (s *seenSet) len() int { return len(s.byHash) + len(s.exact) }

// lookup returns the day id was counted for; confirm says whether the id
// itself (not another with its hash) was counted on that day.
func (s *seenSet) lookup(id string, confirm func(day, id string) bool) (day string, ok bool) {
	if e, ok := s.exact[id]; ok {
		return e.day, true
	}
	slot, ok := s.byHash[s.hash(id)]
	if !ok {
		return "", false
	}
	day = slotDay(slot)
	if !confirm(day, id) {
		return "", false
	}
	return day, true
}

// add remembers id, counted for day (YYYY-MM-DD) from journal record seq.
func (s *seenSet) add(id, day string, seq uint64) {
	if slot, ok := packSlot(day, seq); ok {
		h := s.hash(id)
		if _, taken := s.byHash[h]; !taken {
			s.byHash[h] = slot
			return
		}
	}
	s.exact[id] = seenCall{day: day, seq: seq}
}

// forget drops id, counted for day from seq; a slot its hash shares with
// another id of another day or sequence is left alone.
func (s *seenSet) forget(id, day string, seq uint64) {
	if e, ok := s.exact[id]; ok && e == (seenCall{day: day, seq: seq}) {
		delete(s.exact, id)
		return
	}
	slot, ok := packSlot(day, seq)
	if !ok {
		return
	}
	if h := s.hash(id); s.byHash[h] == slot {
		delete(s.byHash, h)
	}
}

// errPruned ends a prune's scan at the first day still inside the window.
var errPruned = errors.New("stats: prune reached the window")
