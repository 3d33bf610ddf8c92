package stats

import "testing"

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
