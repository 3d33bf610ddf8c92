package journal

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

// writeSegments writes records from..to, spread over days (in order, the same
// number each), through a segmentWriter, and returns each day's bytes.
func writeSegments(t testing.TB, dir string, days []string, from, to uint64) map[string][]byte {
	t.Helper()
	w := newSegmentWriter(dir)
	per := (to - from + 1) / uint64(len(days))
	out := map[string][]byte{}
	for i, day := range days {
		lo, hi := from+uint64(i)*per, from+uint64(i+1)*per-1
		if i == len(days)-1 {
			hi = to
		}
		b := batchOf(lo, hi)
		if err := w.writeBatch(b, day); err != nil {
			t.Fatal(err)
		}
		out[day] = b
	}
	if err := w.close(); err != nil {
		t.Fatal(err)
	}
	return out
}

func observed(t *testing.T) (*zap.Logger, *observer.ObservedLogs) {
	core, logs := observer.New(zapcore.DebugLevel)
	return zap.New(core), logs
}

func TestOpenDirEmpty(t *testing.T) {
	for name, dir := range map[string]string{"missing": filepath.Join(t.TempDir(), "nope"), "empty": t.TempDir()} {
		t.Run(name, func(t *testing.T) {
			log, logs := observed(t)
			st, err := openDir(dir, log, recoverOptions{now: t0, dedupeTTL: time.Hour, recentMax: 10})
			if err != nil {
				t.Fatal(err)
			}
			if st.lastSeq != 0 || st.records != 0 || st.recent.len() != 0 || st.dedupe.len() != 0 || logs.Len() != 0 {
				t.Errorf("state %+v, logs %v; want empty", st, logs.All())
			}
			if !st.recent.covers(time.Time{}) {
				t.Error("an empty journal's recent ring must cover everything")
			}
		})
	}
}

func TestOpenDirRebuildsState(t *testing.T) {
	dir := t.TempDir()
	// Records 1..30 are received a second apart from t0 (see batchOf).
	writeSegments(t, dir, []string{"2026-02-03", "2026-02-04", "2026-02-05"}, 1, 30)
	// With now = t0+30s and a 10.5 s TTL, records 20..30 are young enough to dedupe.
	opt := recoverOptions{now: t0.Add(30 * time.Second), dedupeTTL: 10500 * time.Millisecond, recentMax: 4}
	log, logs := observed(t)
	st, err := openDir(dir, log, opt)
	if err != nil {
		t.Fatal(err)
	}
	if st.lastSeq != 30 || st.records != 30 || logs.Len() != 0 {
		t.Errorf("lastSeq %d, records %d, logs %v; want 30, 30, none", st.lastSeq, st.records, logs.All())
	}
	if diff := cmp.Diff([]string{"2026-02-03", "2026-02-04", "2026-02-05"}, st.days); diff != "" {
		t.Errorf("days (-want +got):\n%s", diff)
	}
	if st.dedupe.len() != 11 {
		t.Errorf("dedupe holds %d keys, want 11", st.dedupe.len())
	}
	for seq := uint64(1); seq <= 30; seq++ {
		r := testRecord(seq, time.Time{})
		got, ok := st.dedupe.seen(r.DedupeKey, opt.now)
		if want := seq >= 20; ok != want || (ok && got != seq) {
			t.Errorf("seen(%q) = %d, %v; want %d, %v", r.DedupeKey, got, ok, seq, want)
		}
	}
	var recent []Record
	st.recent.each(func(r *Record) bool { recent = append(recent, *r); return true })
	want := []Record{testRecord(30, t0.Add(30*time.Second)), testRecord(29, t0.Add(29*time.Second)),
		testRecord(28, t0.Add(28*time.Second)), testRecord(27, t0.Add(27*time.Second))}
	if diff := cmp.Diff(want, recent); diff != "" {
		t.Errorf("recent (-want +got):\n%s", diff)
	}
	if !st.recent.covers(t0.Add(27*time.Second)) || st.recent.covers(t0.Add(26*time.Second)) {
		t.Error("recent should cover exactly from record 27 on")
	}
}

func TestOpenDirTruncatesTornTail(t *testing.T) {
	src := t.TempDir()
	days := []string{"2026-02-03", "2026-02-04"}
	segs := writeSegments(t, src, days, 1, 6)
	last := segs[days[1]]
	lastLine := bytes.LastIndexByte(last[:len(last)-1], '\n') + 1 // start of record 6

	// Cut the last segment at every byte of its last line (cut == lastLine means
	// the line is simply gone), then also with junk after the last good line.
	type variant struct {
		name string
		tail []byte
	}
	var variants []variant
	for cut := lastLine; cut < len(last); cut++ {
		variants = append(variants, variant{fmt.Sprintf("cut at %d", cut), last[lastLine:cut]})
	}
	variants = append(variants,
		variant{"zeros", make([]byte, 4096)},
		variant{"zeros with a newline", append(make([]byte, 100), '\n')},
		variant{"garbage lines", []byte("junk\nmore junk\n")},
		variant{"flipped byte in the last line", flip(last[lastLine:], 20)},
	)
	for _, v := range variants {
		dir := t.TempDir()
		mustWrite(t, segmentPath(dir, days[0]), segs[days[0]])
		mustWrite(t, segmentPath(dir, days[1]), append(bytes.Clone(last[:lastLine]), v.tail...))

		log, logs := observed(t)
		st, err := openDir(dir, log, recoverOptions{now: t0, recentMax: 10})
		if err != nil {
			t.Fatalf("%s: %v", v.name, err)
		}
		if st.lastSeq != 5 || st.records != 5 || st.truncated != int64(len(v.tail)) || st.corrupt != 0 {
			t.Fatalf("%s: lastSeq %d, records %d, truncated %d, corrupt %d; want 5, 5, %d, 0",
				v.name, st.lastSeq, st.records, st.truncated, st.corrupt, len(v.tail))
		}
		if got := readFile(t, segmentPath(dir, days[1])); !bytes.Equal(got, last[:lastLine]) {
			t.Fatalf("%s: segment not cut back to its last good line:\n%q", v.name, got)
		}
		if len(v.tail) > 0 {
			entries := logs.FilterMessage("journal: truncated torn tail").AllUntimed()
			if len(entries) != 1 || entries[0].Level != zapcore.WarnLevel {
				t.Fatalf("%s: logs %v, want one Warn about the torn tail", v.name, logs.AllUntimed())
			}
			fields := entries[0].ContextMap()
			if fields["offset"] != int64(lastLine) || fields["bytes_dropped"] != int64(len(v.tail)) || fields["file"] != segmentPath(dir, days[1]) {
				t.Fatalf("%s: fields %v", v.name, fields)
			}
		} else if logs.Len() != 0 {
			t.Fatalf("%s: unexpected logs %v", v.name, logs.AllUntimed())
		}

		// The next write appends cleanly after the last good record.
		w := newSegmentWriter(dir)
		if err := w.writeBatch(batchOf(6, 6), days[1]); err != nil {
			t.Fatal(err)
		}
		if err := w.close(); err != nil {
			t.Fatal(err)
		}
		if got := readFile(t, segmentPath(dir, days[1])); !bytes.Equal(got, last) {
			t.Fatalf("%s: after rewriting record 6 the segment differs from the original", v.name)
		}
	}
}

func flip(b []byte, i int) []byte {
	b = bytes.Clone(b)
	b[i] ^= 0x20
	return b
}

func mustWrite(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o640); err != nil {
		t.Fatal(err)
	}
}

func TestOpenDirKeepsCorruptRecordsOutsideTheTail(t *testing.T) {
	days := []string{"2026-02-03", "2026-02-04"}
	tests := []struct {
		name      string
		day       int // segment to damage
		damage    func([]byte) []byte
		wantSeqs  []uint64 // records recovered
		wantMsg   string
		wantLevel zapcore.Level
	}{
		{
			name:     "flipped byte in an older segment",
			day:      0,
			damage:   func(b []byte) []byte { return flip(b, bytes.IndexByte(b, '\n')+30) }, // inside record 2
			wantSeqs: []uint64{1, 3, 4, 5, 6, 7, 8},
			wantMsg:  "journal: corrupt record skipped", wantLevel: zapcore.ErrorLevel,
		},
		{
			name:     "flipped byte mid last segment",
			day:      1,
			damage:   func(b []byte) []byte { return flip(b, 30) }, // inside record 5
			wantSeqs: []uint64{1, 2, 3, 4, 6, 7, 8},
			wantMsg:  "journal: corrupt record skipped", wantLevel: zapcore.ErrorLevel,
		},
		{
			name:     "lost newline merges two lines of an older segment",
			day:      0,
			damage:   func(b []byte) []byte { i := bytes.IndexByte(b, '\n'); return append(b[:i:i], b[i+1:]...) },
			wantSeqs: []uint64{3, 4, 5, 6, 7, 8},
			wantMsg:  "journal: corrupt record skipped", wantLevel: zapcore.ErrorLevel,
		},
		{
			name:     "torn tail of an older segment is kept",
			day:      0,
			damage:   func(b []byte) []byte { return b[:len(b)-10] },
			wantSeqs: []uint64{1, 2, 3, 5, 6, 7, 8},
			wantMsg:  "journal: corrupt tail in older segment kept", wantLevel: zapcore.ErrorLevel,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			segs := writeSegments(t, dir, days, 1, 8)
			path := segmentPath(dir, days[tt.day])
			damaged := tt.damage(segs[days[tt.day]])
			mustWrite(t, path, damaged)

			log, logs := observed(t)
			st, err := openDir(dir, log, recoverOptions{now: t0, recentMax: 100})
			if err != nil {
				t.Fatal(err)
			}
			if got := readFile(t, path); !bytes.Equal(got, damaged) {
				t.Error("the damaged segment was modified; corrupt data must be kept")
			}
			entries := logs.FilterMessage(tt.wantMsg).AllUntimed()
			if len(entries) != 1 || entries[0].Level != tt.wantLevel || logs.Len() != 1 {
				t.Errorf("logs %v, want one %v %q", logs.AllUntimed(), tt.wantLevel, tt.wantMsg)
			}
			var got []uint64
			st.recent.each(func(r *Record) bool { got = append([]uint64{r.Seq}, got...); return true })
			if diff := cmp.Diff(tt.wantSeqs, got); diff != "" {
				t.Errorf("recovered records (-want +got):\n%s", diff)
			}
			if st.lastSeq != 8 || st.records != len(tt.wantSeqs) || st.truncated != 0 {
				t.Errorf("lastSeq %d, records %d, truncated %d", st.lastSeq, st.records, st.truncated)
			}
			var replayed []uint64
			if err := replay(dir, 0, func(r Record) error { replayed = append(replayed, r.Seq); return nil }); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.wantSeqs, replayed); diff != "" {
				t.Errorf("replay (-want +got):\n%s", diff)
			}
		})
	}
}

func TestOpenDirReadsLinesLongerThanTheBuffer(t *testing.T) {
	dir := t.TempDir()
	big := testRecord(2, t0)
	big.Body = bytes.Repeat([]byte("x\n"), scanBufSize) // 2 MiB of text, escaped to 3 MiB
	var b []byte
	for _, r := range []Record{testRecord(1, t0), big, testRecord(3, t0)} {
		b = encode(b, &r)
	}
	w := newSegmentWriter(dir)
	if err := w.writeBatch(b, "2026-02-03"); err != nil {
		t.Fatal(err)
	}
	if err := w.close(); err != nil {
		t.Fatal(err)
	}
	st, err := openDir(dir, zap.NewNop(), recoverOptions{now: t0, recentMax: 2})
	if err != nil {
		t.Fatal(err)
	}
	if st.records != 3 || st.lastSeq != 3 || st.recent.len() != 2 {
		t.Fatalf("records %d, lastSeq %d, recent %d", st.records, st.lastSeq, st.recent.len())
	}
	var got Record
	st.recent.each(func(r *Record) bool { got = *r; return true }) // ends on the oldest held
	if !bytes.Equal(got.Body, big.Body) {
		t.Errorf("the long record's body did not survive")
	}
}

// BenchmarkRecover1M measures start-up over 1 000 000 records of ~440 bytes
// (compact JSON bodies of ~120 bytes plus the envelope) in 10 segments.
func BenchmarkRecover1M(b *testing.B) {
	dir := b.TempDir()
	const n, segs = 1_000_000, 10
	w := newSegmentWriter(dir)
	var batch []byte
	var size int64
	for seg := range segs {
		day := t0.AddDate(0, 0, seg).Format(dayLayout)
		for s := seg * n / segs; s < (seg+1)*n/segs; s++ {
			r := testRecord(uint64(s+1), t0.Add(time.Duration(s)*100*time.Millisecond))
			batch = encode(batch, &r)
			if len(batch) > 1<<20 {
				if err := w.writeBatch(batch, day); err != nil {
					b.Fatal(err)
				}
				size += int64(len(batch))
				batch = batch[:0]
			}
		}
		if err := w.writeBatch(batch, day); err != nil {
			b.Fatal(err)
		}
		size += int64(len(batch))
		batch = batch[:0]
	}
	if err := w.close(); err != nil {
		b.Fatal(err)
	}
	now := t0.Add(n * 100 * time.Millisecond)
	for _, bc := range []struct {
		name       string
		ttl        time.Duration
		wantDedupe int
	}{
		{"dedupe_keys_live=1M", 7 * 24 * time.Hour, n}, // all received within the TTL
		{"dedupe_keys_live=0", time.Millisecond, 0},    // all expired
	} {
		b.Run(bc.name, func(b *testing.B) {
			opt := recoverOptions{now: now, dedupeTTL: bc.ttl, recentMax: 10_000}
			b.SetBytes(size)
			b.ReportAllocs()
			for b.Loop() {
				st, err := openDir(dir, zap.NewNop(), opt)
				if err != nil {
					b.Fatal(err)
				}
				if st.records != n || st.lastSeq != n || st.recent.len() != 10_000 || st.dedupe.len() != bc.wantDedupe {
					b.Fatalf("records %d, lastSeq %d, recent %d, dedupe %d", st.records, st.lastSeq, st.recent.len(), st.dedupe.len())
				}
			}
		})
	}
}
