package stats

import (
	"math"
	"testing"

	"orchestrator/actors/internal/wire"
)

// With every id sharing one hash, the set still tells ids apart: a hash
// found counts only when the store (confirm) has that very id.
func TestSeenSetTellsCollidingIDsApart(t *testing.T) {
	s := newSeenSet()
	s.hash = func(string) uint64 { return 1 }
	stored := map[string]string{} // id → day, what the store would hold
	confirm := func(day, id string) bool { return stored[id] == day }
	count := func(id, day string, seq uint64) {
		t.Helper()
		if _, ok := s.lookup(id, confirm); ok {
			t.Fatalf("%s taken as counted before it was", id)
		}
		s.add(id, day, seq)
		stored[id] = day
	}
	count("call-a", "2026-11-02", 1)
	count("call-b", "2026-11-03", 2) // same hash as call-a
	for id, want := range map[string]string{"call-a": "2026-11-02", "call-b": "2026-11-03"} {
		if day, ok := s.lookup(id, confirm); !ok || day != want {
			t.Errorf("lookup(%s) = %q, %v; want %q, true", id, day, ok, want)
		}
	}
	if _, ok := s.lookup("call-c", confirm); ok {
		t.Error("call-c, never counted, taken as counted")
	}
	s.forget("call-a", "2026-11-02", 1)
	delete(stored, "call-a")
	if _, ok := s.lookup("call-a", confirm); ok {
		t.Error("call-a still counted after it was forgotten")
	}
	if day, ok := s.lookup("call-b", confirm); !ok || day != "2026-11-03" {
		t.Errorf("call-b lost when call-a was forgotten: %q, %v", day, ok)
	}
	if s.len() != 1 {
		t.Errorf("len = %d, want 1", s.len())
	}
}

// An id whose day or sequence does not fit a slot is kept by its string, so
// nothing of either is lost; one that fits, to the edges, is packed.
func TestSeenSetKeepsWhatDoesNotFitASlotByItsString(t *testing.T) {
	lastDay := wire.DayOfIndex(dayMax)
	for _, tc := range []struct {
		name   string
		day    string
		seq    uint64
		packed bool
	}{
		{"the first day and sequence", "1970-01-01", 0, true},
		{"the last day and sequence", lastDay, seqMax, true},
		{"a sequence past the slot", "2026-11-02", seqMax + 1, false},
		{"the largest sequence", "2026-11-02", math.MaxUint64, false},
		{"a day before the slot", "1969-12-31", 7, false},
		{"a day past the slot", wire.DayOfIndex(dayMax + 1), 7, false},
		{"a day not in the calendar", "2026-02-30", 7, false},
		{"a day that is not one", "someday", 7, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newSeenSet()
			confirm := func(day, id string) bool { return day == tc.day && id == "call-a" }
			s.add("call-a", tc.day, tc.seq)
			if got := len(s.byHash) == 1 && len(s.exact) == 0; got != tc.packed {
				t.Fatalf("packed = %v, want %v (by hash %d, exact %d)", got, tc.packed, len(s.byHash), len(s.exact))
			}
			if day, ok := s.lookup("call-a", confirm); !ok || day != tc.day {
				t.Fatalf("lookup = %q, %v; want %q, true", day, ok, tc.day)
			}
			if _, ok := s.lookup("call-b", confirm); ok {
				t.Fatal("call-b, never counted, taken as counted")
			}
			s.forget("call-a", tc.day, tc.seq-1)
			s.forget("call-a", tc.day, tc.seq+1)
			s.forget("call-a", "2026-11-03", tc.seq)
			if s.len() != 1 {
				t.Fatalf("forgotten by another day or sequence: len = %d", s.len())
			}
			s.forget("call-a", tc.day, tc.seq)
			if s.len() != 0 {
				t.Fatalf("not forgotten by its own day and sequence: len = %d", s.len())
			}
		})
	}
}
