package journal

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func recentSeqs(r *recent) []uint64 {
	var s []uint64
	r.each(func(rec *Record) bool { s = append(s, rec.Seq); return true })
	return s
}

func TestRecentBounds(t *testing.T) {
	small := testRecord(0, t0)
	size := recordSize(&small)
	tests := []struct {
		name          string
		max, maxBytes int
		add           int // records 1..add, a second apart
		want          []uint64
		coversFrom    uint64 // the oldest record whose time is still covered
		coversEvery   bool   // nothing evicted
	}{
		{name: "under the bound", max: 5, add: 3, want: []uint64{3, 2, 1}, coversEvery: true},
		{name: "exactly full", max: 3, add: 3, want: []uint64{3, 2, 1}, coversEvery: true},
		{name: "wraps", max: 3, add: 10, want: []uint64{10, 9, 8}, coversFrom: 8},
		{name: "byte bound", max: 100, maxBytes: 4*size + size/2, add: 10, want: []uint64{10, 9, 8, 7}, coversFrom: 7},
		{name: "zero size holds nothing", max: 0, add: 2, want: nil, coversFrom: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRecent(tt.max, tt.maxBytes)
			for s := 1; s <= tt.add; s++ {
				r.add(testRecord(uint64(s), t0.Add(time.Duration(s)*time.Second)))
			}
			if diff := cmp.Diff(tt.want, recentSeqs(r)); diff != "" {
				t.Errorf("records newest first (-want +got):\n%s", diff)
			}
			if r.len() != len(tt.want) {
				t.Errorf("len() = %d, want %d", r.len(), len(tt.want))
			}
			if tt.coversEvery {
				if !r.covers(time.Time{}) {
					t.Error("covers(zero) = false with nothing evicted")
				}
				return
			}
			from := t0.Add(time.Duration(tt.coversFrom) * time.Second)
			if !r.covers(from) || r.covers(from.Add(-time.Second)) {
				t.Errorf("covers should start exactly at record %d", tt.coversFrom)
			}
		})
	}
}

func TestRecentKeepsOneOversizedRecord(t *testing.T) {
	r := newRecent(10, 1000)
	r.add(testRecord(1, t0))
	big := testRecord(2, t0)
	big.Body = make([]byte, 5000)
	r.add(big)
	if diff := cmp.Diff([]uint64{2}, recentSeqs(r)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	r.add(testRecord(3, t0))
	if diff := cmp.Diff([]uint64{3}, recentSeqs(r)); diff != "" {
		t.Errorf("the oversized record should make room (-want +got):\n%s", diff)
	}
	if rec := testRecord(3, t0); r.bytes != recordSize(&rec) {
		t.Errorf("byte count %d, want %d: it drifted while evicting", r.bytes, recordSize(&rec))
	}
}

func TestRecentPage(t *testing.T) {
	r := newRecent(100, 0)
	for s := 1; s <= 20; s++ {
		r.add(testRecord(uint64(s), t0))
	}
	even := func(rec *Record) bool { return rec.Seq%2 == 0 }
	tests := []struct {
		name          string
		match         func(*Record) bool
		limit, offset int
		want          []uint64
		wantMatched   int
	}{
		{"first page", nil, 3, 0, []uint64{20, 19, 18}, 20},
		{"second page", nil, 3, 3, []uint64{17, 16, 15}, 20},
		{"last partial page", nil, 3, 18, []uint64{2, 1}, 20},
		{"past the end", nil, 3, 30, nil, 20},
		{"filtered", even, 4, 2, []uint64{16, 14, 12, 10}, 10},
		{"default limit", nil, 0, 0, []uint64{20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1}, 20},
		{"negative offset", nil, 1, -5, []uint64{20}, 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page, matched := r.page(tt.match, tt.limit, tt.offset)
			if diff := cmp.Diff(tt.want, seqsOf(page)); diff != "" || matched != tt.wantMatched {
				t.Errorf("matched %d, want %d; page (-want +got):\n%s", matched, tt.wantMatched, diff)
			}
		})
	}
}

// A consumer of one source whose position is older than the ring is still
// answered from memory when no record of its source after its position was
// let go; one whose records were let go, or that asks for every source, is
// not. Records recovered but never held count for every source.
func TestRecentHoldsAfterForSources(t *testing.T) {
	const lead, completion = "awhealth-outbound", "bland-callback"
	rec := func(seq uint64, source string) Record {
		r := testRecord(seq, t0.Add(time.Duration(seq)*time.Second))
		r.Source = source
		return r
	}
	r := newRecent(4, 0)
	r.add(rec(1, lead))
	for s := uint64(2); s <= 9; s++ { // completions push lead 1 and completions 2..5 out
		r.add(rec(s, completion))
	}
	tests := []struct {
		after   uint64
		sources []string
		want    bool
	}{
		{after: 5, sources: nil, want: true}, // the ring starts at 6
		{after: 4, sources: nil, want: false},
		{after: 1, sources: []string{lead}, want: true}, // lead 1 is all there was
		{after: 0, sources: []string{lead}, want: false},
		{after: 1, sources: []string{completion}, want: false},
		{after: 1, sources: []string{lead, completion}, want: false},
		{after: 5, sources: []string{completion}, want: true},
	}
	for _, tt := range tests {
		if got := r.holdsAfterFor(tt.after, tt.sources); got != tt.want {
			t.Errorf("holdsAfterFor(%d, %v) = %v, want %v", tt.after, tt.sources, got, tt.want)
		}
	}

	r.noteNeverHeld(t0, 3) // as at recovery: record 3's source was not read
	if r.holdsAfterFor(2, []string{lead}) {
		t.Error("holdsAfterFor(2, lead) = true, though record 3 (source unknown) is not held")
	}
	if !r.holdsAfterFor(3, []string{lead}) {
		t.Error("holdsAfterFor(3, lead) = false, though nothing of lead after 3 was let go")
	}
}
