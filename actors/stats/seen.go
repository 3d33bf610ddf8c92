package stats

import (
	"errors"
	"hash/maphash"

	"orchestrator/actors/internal/wire"
)

// seenSet is the call ids counted within the dedupe window, in ~30 bytes
// each instead of the id's string: a 64-bit hash of the id with the day it
// counted for and its journal sequence. Every id counted is in the set, so
// a hash not found is a call not counted; a hash found is confirmed by the
// exact key (in the pending batch or the store), so an id that only shares
// a hash with another is counted. Such an id is then kept by its string in
// exact. The store's "id/<day>/<call_id>" keys stay the record of truth.
type seenSet struct {
	hash   func(string) uint64
	byHash map[uint64]seenSlot
	exact  map[string]seenSlot
}

// seenSlot is one counted id: its day as yyyymmdd and its journal sequence.
type seenSlot struct {
	day int32
	seq uint64
}

func newSeenSet() seenSet {
	seed := maphash.MakeSeed()
	return seenSet{hash: func(id string) uint64 { return maphash.String(seed, id) },
		byHash: map[uint64]seenSlot{}, exact: map[string]seenSlot{}}
}

func (s *seenSet) len() int { return len(s.byHash) + len(s.exact) }

// lookup returns the day id was counted for; confirm says whether the id
// itself (not another with its hash) was counted on that day.
func (s *seenSet) lookup(id string, confirm func(day, id string) bool) (day string, ok bool) {
	if e, ok := s.exact[id]; ok {
		return wire.DayString(e.day), true
	}
	e, ok := s.byHash[s.hash(id)]
	if !ok {
		return "", false
	}
	day = wire.DayString(e.day)
	if !confirm(day, id) {
		return "", false
	}
	return day, true
}

// add remembers id, counted for day (YYYY-MM-DD) from journal record seq.
func (s *seenSet) add(id, day string, seq uint64) {
	slot := seenSlot{day: wire.DayNum(day), seq: seq}
	h := s.hash(id)
	if _, taken := s.byHash[h]; taken {
		s.exact[id] = slot
		return
	}
	s.byHash[h] = slot
}

// forget drops id, counted for day; a slot its hash shares with another
// id of another day or sequence is left alone.
func (s *seenSet) forget(id, day string, seq uint64) {
	slot := seenSlot{day: wire.DayNum(day), seq: seq}
	if e, ok := s.exact[id]; ok && e == slot {
		delete(s.exact, id)
		return
	}
	if h := s.hash(id); s.byHash[h] == slot {
		delete(s.byHash, h)
	}
}

// errPruned ends a prune's scan at the first day still inside the window.
var errPruned = errors.New("stats: prune reached the window")
