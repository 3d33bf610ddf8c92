package journal

import (
	"fmt"
	"testing"
	"time"
)

func TestDedupeTTL(t *testing.T) {
	const ttl = 10 * time.Minute
	type step struct {
		op      string // "add", "seen", "prune"
		key     string
		seq     uint64
		at      time.Duration // after t0
		wantSeq uint64
		wantOK  bool
		wantN   int // prune: keys removed
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"unknown key", []step{{op: "seen", key: "a"}}},
		{"live just before the TTL", []step{
			{op: "add", key: "a", seq: 1},
			{op: "seen", key: "a", at: 0, wantSeq: 1, wantOK: true},
			{op: "seen", key: "a", at: ttl - time.Nanosecond, wantSeq: 1, wantOK: true},
		}},
		{"expired at the TTL, even before prune", []step{
			{op: "add", key: "a", seq: 1},
			{op: "seen", key: "a", at: ttl},
		}},
		{"a repeat keeps the first record", []step{
			{op: "add", key: "a", seq: 1},
			{op: "add", key: "a", seq: 2, at: time.Minute},
			{op: "seen", key: "a", at: 2 * time.Minute, wantSeq: 1, wantOK: true},
			{op: "seen", key: "a", at: ttl}, // the repeat does not extend the window
		}},
		{"re-added after expiry", []step{
			{op: "add", key: "a", seq: 1},
			{op: "add", key: "a", seq: 5, at: ttl + time.Minute},
			{op: "prune", at: ttl + time.Minute, wantN: 0}, // the old FIFO entry must not delete the new one
			{op: "seen", key: "a", at: ttl + 2*time.Minute, wantSeq: 5, wantOK: true},
			{op: "prune", at: 2*ttl + time.Minute, wantN: 1},
			{op: "seen", key: "a", at: 0},
		}},
		{"prune removes only expired keys", []step{
			{op: "add", key: "a", seq: 1},
			{op: "add", key: "b", seq: 2, at: time.Minute},
			{op: "add", key: "c", seq: 3, at: 2 * time.Minute},
			{op: "prune", at: ttl + time.Minute, wantN: 2},
			{op: "seen", key: "a", at: 0},
			{op: "seen", key: "b", at: 0},
			{op: "seen", key: "c", at: ttl + time.Minute, wantSeq: 3, wantOK: true},
			{op: "prune", at: ttl + time.Minute, wantN: 0},
		}},
		{"empty key ignored", []step{
			{op: "add", key: "", seq: 1},
			{op: "seen", key: ""},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newDedupe(ttl)
			for i, s := range tt.steps {
				at := t0.Add(s.at)
				switch s.op {
				case "add":
					d.add(s.key, s.seq, at)
				case "seen":
					if seq, ok := d.seen(s.key, at); seq != s.wantSeq || ok != s.wantOK {
						t.Errorf("step %d: seen(%q, +%v) = %d, %v; want %d, %v", i, s.key, s.at, seq, ok, s.wantSeq, s.wantOK)
					}
				case "prune":
					if n := d.prune(at); n != s.wantN {
						t.Errorf("step %d: prune(+%v) removed %d, want %d", i, s.at, n, s.wantN)
					}
				}
			}
		})
	}
}

func TestDedupeDisabled(t *testing.T) {
	d := newDedupe(0)
	d.add("a", 1, t0)
	if _, ok := d.seen("a", t0); ok || d.len() != 0 {
		t.Error("a zero TTL must disable dedupe")
	}
}

// TestDedupeStaysBounded adds a steady stream of keys and prunes as it goes: the
// index and its FIFO must hold only about one TTL's worth.
func TestDedupeStaysBounded(t *testing.T) {
	const ttl, perTTL = time.Minute, 3000 // 3000 keys arrive within one TTL
	d := newDedupe(ttl)
	step := ttl / perTTL
	for i := range 10 * perTTL {
		now := t0.Add(time.Duration(i) * step)
		d.add(fmt.Sprint("k", i), uint64(i), now)
		if i%100 == 0 {
			d.prune(now)
		}
		if queued := d.queued(); d.len() > perTTL+100 || queued > perTTL+100 || len(d.chunks) > perTTL/dedupeChunk+3 {
			t.Fatalf("after %d keys: %d indexed, %d queued; want about %d", i+1, d.len(), queued, perTTL)
		}
	}
	if n := d.prune(t0.Add(100 * ttl)); n == 0 || d.len() != 0 || d.queued() != 0 {
		t.Errorf("after the TTL: pruned %d, %d indexed, %d queued; want all gone", n, d.len(), d.queued())
	}
}

// queued is the number of FIFO entries not yet pruned.
func (d *dedupe) queued() int {
	n := -d.head
	for _, c := range d.chunks {
		n += len(c)
	}
	return n
}

func TestDedupeReindexMatchesAdd(t *testing.T) {
	const ttl = time.Minute
	keys := []string{"a", "b", "a", "c", "b", "a"}
	byAdd, byReindex := newDedupe(ttl), newDedupe(ttl)
	for i, k := range keys {
		at := t0.Add(time.Duration(i) * 20 * time.Second) // "a" at 0s, 40s, 100s: the third is after expiry
		byAdd.add(k, uint64(i+1), at)
		byReindex.push(newItem(k, uint64(i+1), at))
	}
	byReindex.reindex()
	now := t0.Add(110 * time.Second)
	for _, k := range []string{"a", "b", "c", "d"} {
		s1, ok1 := byAdd.seen(k, now)
		s2, ok2 := byReindex.seen(k, now)
		if s1 != s2 || ok1 != ok2 {
			t.Errorf("seen(%q): add gives %d, %v; reindex gives %d, %v", k, s1, ok1, s2, ok2)
		}
	}
	if n1, n2 := byAdd.prune(now), byReindex.prune(now); n1 != n2 || byAdd.len() != byReindex.len() {
		t.Errorf("prune: add removed %d (%d left), reindex %d (%d left)", n1, byAdd.len(), n2, byReindex.len())
	}
}
