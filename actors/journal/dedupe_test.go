package journal

import (
	"fmt"
	"runtime"
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
			{op: "prune", at: ttl + time.Minute, wantN: 0}, // the new entry is live
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
// index must hold only about one TTL's worth, plus at most one minute's (see packed).
func TestDedupeStaysBounded(t *testing.T) {
	const ttl, perTTL = 10 * time.Minute, 3000 // 3000 keys arrive within one TTL
	const bound = perTTL + perTTL/10 + 100     // one TTL, one minute, 100 between prunes
	d := newDedupe(ttl)
	step := ttl / perTTL
	for i := range 10 * perTTL {
		now := t0.Add(time.Duration(i) * step)
		d.add(fmt.Sprint("k", i), uint64(i), now)
		if i%100 == 0 {
			d.prune(now)
		}
		if d.len() > bound {
			t.Fatalf("after %d keys: %d indexed; want at most %d", i+1, d.len(), bound)
		}
	}
	if n := d.prune(t0.Add(100 * ttl)); n == 0 || d.len() != 0 {
		t.Errorf("after the TTL: pruned %d, %d indexed; want all gone", n, d.len())
	}
}

func TestDedupeBuildMatchesAdd(t *testing.T) {
	const ttl = time.Minute
	keys := []string{"a", "b", "a", "c", "b", "a", "w", "w", "w"}
	seqs := []uint64{1, 2, 3, 4, 5, 6, seqMax + 1, 8, 9} // "w" first needs the wide map
	byAdd := newDedupe(ttl)
	var l dedupeLoader
	for i, k := range keys {
		at := t0.Add(time.Duration(i) * 20 * time.Second) // "a" at 0s, 40s, 100s: the third is after expiry
		byAdd.add(k, seqs[i], at)
		l.add(k, seqs[i], at)
	}
	byBuild := l.build(ttl)
	if l.n != 0 || l.chunks != nil {
		t.Errorf("build left %d keys in the loader", l.n)
	}
	for _, now := range []time.Time{t0.Add(110 * time.Second), t0.Add(170 * time.Second), t0.Add(230 * time.Second)} {
		for _, k := range []string{"a", "b", "c", "d", "w"} {
			s1, ok1 := byAdd.seen(k, now)
			s2, ok2 := byBuild.seen(k, now)
			if s1 != s2 || ok1 != ok2 {
				t.Errorf("seen(%q, %v) : add gives %d, %v; build gives %d, %v", k, now, s1, ok1, s2, ok2)
			}
		}
		if n1, n2 := byAdd.prune(now), byBuild.prune(now); n1 != n2 || byAdd.len() != byBuild.len() {
			t.Errorf("prune(%v): add removed %d (%d left), build %d (%d left)", now, n1, byAdd.len(), n2, byBuild.len())
		}
	}
}

func TestDedupeLoaderDisabled(t *testing.T) {
	var l dedupeLoader
	l.add("a", 1, t0)
	l.add("", 2, t0)
	if l.n != 1 {
		t.Errorf("loader holds %d keys, want 1 (empty keys are ignored)", l.n)
	}
	if d := l.build(0); d.len() != 0 {
		t.Errorf("a zero TTL must disable dedupe, built %d keys", d.len())
	}
}

func TestPackEpoch(t *testing.T) {
	if want := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano(); packEpoch != want {
		t.Errorf("packEpoch = %d, want %d", packEpoch, want)
	}
}

// TestDedupeTTLRounding: a key is never expired before its TTL, and expires at
// most one minute after it, whatever its offset within the minute.
func TestDedupeTTLRounding(t *testing.T) {
	for _, ttl := range []time.Duration{10 * time.Minute, 10500 * time.Millisecond, time.Nanosecond} {
		for _, off := range []time.Duration{0, time.Nanosecond, time.Second, 30 * time.Second, time.Minute - time.Nanosecond, time.Minute} {
			at := t0.Add(off)
			expiry := at.Add(ttl)                             // exact
			late := at.Truncate(time.Minute).Add(time.Minute) // the next whole minute...
			if at.Equal(at.Truncate(time.Minute)) {           // ...or at itself on a boundary
				late = at
			}
			late = late.Add(ttl)
			if late.Before(expiry) || late.Sub(expiry) >= time.Minute {
				t.Fatalf("test bug: late %v, expiry %v", late, expiry)
			}
			d := newDedupe(ttl)
			d.add("a", 7, at)
			if seq, ok := d.seen("a", expiry.Add(-time.Nanosecond)); !ok || seq != 7 {
				t.Errorf("ttl %v, +%v: expired before its TTL", ttl, off)
			}
			if _, ok := d.seen("a", late.Add(-time.Nanosecond)); !ok {
				t.Errorf("ttl %v, +%v: expired before the minute it was rounded up to", ttl, off)
			}
			if _, ok := d.seen("a", late); ok {
				t.Errorf("ttl %v, +%v: still live at %v, a minute or more past its TTL", ttl, off, late.Sub(at))
			}
			if n := d.prune(late.Add(-time.Nanosecond)); n != 0 {
				t.Errorf("ttl %v, +%v: pruned while live", ttl, off)
			}
			if n := d.prune(late); n != 1 {
				t.Errorf("ttl %v, +%v: pruned %d at expiry, want 1", ttl, off, n)
			}
		}
	}
}

// TestDedupeWide covers entries that do not fit packed: they keep their exact
// seq and time, and a key moves between the maps without being held twice.
func TestDedupeWide(t *testing.T) {
	const ttl = time.Hour
	epoch := time.Unix(0, packEpoch)
	end := epoch.Add((minuteMax + 1) * time.Minute) // the first minute that does not fit
	tests := []struct {
		name     string
		seq      uint64
		at       time.Time
		wantWide bool
	}{
		{"largest packed seq", seqMax, t0, false},
		{"seq one past the field", seqMax + 1, t0, true},
		{"seq at the top of uint64", 1<<64 - 1, t0, true},
		{"seq that would alias a small one if wrapped", seqMax + 1 + 5, t0, true},
		{"at the epoch", 1, epoch, false},
		{"before the epoch", 1, epoch.Add(-time.Nanosecond), true},
		{"last packed minute", 1, end.Add(-time.Minute), false},
		{"rounds up past the last minute", 1, end.Add(-time.Minute + time.Nanosecond), true},
		{"after the range", 1, end.Add(time.Hour), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newDedupe(ttl)
			d.add("a", tt.seq, tt.at)
			if got := len(d.wide) == 1; got != tt.wantWide || d.len() != 1 {
				t.Fatalf("wide %v, %d keys; want wide %v, 1 key", got, d.len(), tt.wantWide)
			}
			if seq, ok := d.seen("a", tt.at.Add(ttl-time.Nanosecond)); !ok || seq != tt.seq {
				t.Errorf("seen just before the TTL = %d, %v; want %d, true", seq, ok, tt.seq)
			}
			if _, ok := d.seen("a", tt.at.Add(ttl+time.Minute)); ok {
				t.Error("live a minute past its TTL")
			}
			if tt.seq > seqMax {
				d.forget("a", tt.seq&seqMax) // the wrapped seq is another record
				if _, ok := d.seen("a", tt.at); !ok {
					t.Error("forget with the wrapped seq dropped the key")
				}
			}
			// Re-added after expiry with a small seq, then a wide one: the key moves
			// between the maps (when its time fits) and is never held twice.
			later := t0.Add(ttl)
			if tt.at.After(t0) {
				later = tt.at.Add(ttl)
			}
			for i, seq := range []uint64{3, seqMax + 9} {
				at := later.Add(time.Duration(i) * 2 * ttl)
				d.add("a", seq, at)
				if got, ok := d.seen("a", at); !ok || got != seq || d.len() != 1 {
					t.Errorf("re-added %d: seen = %d, %v with %d keys; want %d, true with 1", seq, got, ok, d.len(), seq)
				}
			}
			if n := d.prune(later.Add(10 * ttl)); n != 1 || d.len() != 0 {
				t.Errorf("prune removed %d, %d left; want 1, 0", n, d.len())
			}
		})
	}
}

func TestDedupeForget(t *testing.T) {
	for _, seq := range []uint64{7, seqMax + 7} {
		d := newDedupe(time.Hour)
		d.add("a", seq, t0)
		d.forget("a", seq+1) // a later record that lost to the live key
		if got, ok := d.seen("a", t0); !ok || got != seq {
			t.Errorf("seq %d: forget of another seq dropped the key: seen = %d, %v", seq, got, ok)
		}
		d.forget("b", seq)
		d.forget("a", seq)
		if _, ok := d.seen("a", t0); ok || d.len() != 0 {
			t.Errorf("seq %d: forget left the key (%d keys)", seq, d.len())
		}
		d.add("a", seq+1, t0.Add(time.Second)) // the retry is stored and indexed
		if got, ok := d.seen("a", t0.Add(time.Second)); !ok || got != seq+1 {
			t.Errorf("seq %d: after forget, seen = %d, %v; want %d", seq, got, ok, seq+1)
		}
	}
}

// BenchmarkDedupeMemory reports the live heap per key after adding 100 000
// keys spread over a week, as a one-week TTL holds them.
func BenchmarkDedupeMemory(b *testing.B) {
	const n = 100_000
	keys := make([]string, n)
	for i := range keys {
		keys[i] = fmt.Sprintf("webhook-%08d", i)
	}
	step := 7 * 24 * time.Hour / n
	var perKey float64
	for b.Loop() {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		d := newDedupe(7 * 24 * time.Hour)
		for i, k := range keys {
			d.add(k, uint64(i+1), t0.Add(time.Duration(i)*step))
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		if d.len() != n {
			b.Fatalf("%d keys held, want %d", d.len(), n)
		}
		perKey = float64(after.HeapAlloc-before.HeapAlloc) / n
		runtime.KeepAlive(d)
	}
	b.ReportMetric(perKey, "B/key")
}

// BenchmarkDedupePrune walks 1 000 000 live keys, as the daily prune does.
func BenchmarkDedupePrune(b *testing.B) {
	const n = 1_000_000
	d := newDedupe(7 * 24 * time.Hour)
	for i := range n {
		d.add(fmt.Sprint("k", i), uint64(i+1), t0)
	}
	for b.Loop() {
		if removed := d.prune(t0); removed != 0 {
			b.Fatalf("pruned %d live keys", removed)
		}
	}
}
