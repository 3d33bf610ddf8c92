package journal

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"
	_ "time/tzdata" // America/New_York without the system zone database

	"github.com/google/go-cmp/cmp"
	"go.uber.org/zap/zaptest"
)

// faults makes a segmentWriter's files fail like a full or failing disk until
// cleared. A failing write first writes half of its bytes, as a short write
// before ENOSPC does, so tests see that the writer removes them. Safe for use
// from several goroutines, so actor tests can flip it while the actor writes.
type faults struct {
	mu                    sync.Mutex
	write, sync, truncate error
}

// injectFaults routes w's file opens through f.
func injectFaults(w *segmentWriter) *faults {
	f := &faults{}
	open := w.open
	w.open = func(path string, flag int) (writeFile, error) {
		file, err := open(path, flag)
		if err != nil {
			return nil, err
		}
		return faultyFile{writeFile: file, f: f}, nil
	}
	return f
}

func (f *faults) set(write, sync, truncate error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.write, f.sync, f.truncate = write, sync, truncate
}

func (f *faults) get() (write, sync, truncate error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.write, f.sync, f.truncate
}

type faultyFile struct {
	writeFile
	f *faults
}

func (ff faultyFile) Write(p []byte) (int, error) {
	if err, _, _ := ff.f.get(); err != nil {
		n, _ := ff.writeFile.Write(p[:len(p)/2])
		return n, err
	}
	return ff.writeFile.Write(p)
}

func (ff faultyFile) datasync() error {
	if _, err, _ := ff.f.get(); err != nil {
		return err
	}
	return ff.writeFile.datasync()
}

func (ff faultyFile) Truncate(size int64) error {
	if _, _, err := ff.f.get(); err != nil {
		return err
	}
	return ff.writeFile.Truncate(size)
}

// batchOf encodes records with sequence numbers from..to received a second apart
// from t0.
func batchOf(from, to uint64) []byte {
	var b []byte
	for s := from; s <= to; s++ {
		r := testRecord(s, t0.Add(time.Duration(s)*time.Second))
		b = encode(b, &r)
	}
	return b
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func seqsOf(recs []Record) []uint64 {
	var s []uint64
	for _, r := range recs {
		s = append(s, r.Seq)
	}
	return s
}

func TestWriteBatchCreatesDirectoryAndAppends(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data", "journal")
	w := newSegmentWriter(dir)
	defer w.close()

	b1, b2 := batchOf(1, 3), batchOf(4, 4)
	for _, b := range [][]byte{b1, b2} {
		if err := w.writeBatch(b, "2026-02-03"); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := readFile(t, segmentPath(dir, "2026-02-03")), append(bytes.Clone(b1), b2...); !bytes.Equal(got, want) {
		t.Errorf("segment =\n%s\nwant\n%s", got, want)
	}
	if day, size := w.position(); day != "2026-02-03" || size != int64(len(b1)+len(b2)) {
		t.Errorf("position() = %q, %d; want 2026-02-03, %d", day, size, len(b1)+len(b2))
	}
	if err := w.writeBatch(nil, "2026-02-03"); err != nil {
		t.Errorf("empty batch: %v", err)
	}
	if err := w.close(); err != nil {
		t.Fatal(err)
	}
	// A new writer appends to the existing file.
	w2 := newSegmentWriter(dir)
	if err := w2.writeBatch(batchOf(5, 5), "2026-02-03"); err != nil {
		t.Fatal(err)
	}
	if err := w2.close(); err != nil {
		t.Fatal(err)
	}
	recs, err := readDay(dir, "2026-02-03")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]uint64{1, 2, 3, 4, 5}, seqsOf(recs)); diff != "" {
		t.Errorf("seqs (-want +got):\n%s", diff)
	}
}

func TestWriteBatchRejectsBadInput(t *testing.T) {
	w := newSegmentWriter(t.TempDir())
	defer w.close()
	for _, tt := range []struct {
		name, day string
		batch     []byte
	}{
		{"no final newline", "2026-02-03", []byte("x")},
		{"path in day", "../2026-02-03", batchOf(1, 1)},
		{"not a date", "2026-02-30", batchOf(1, 1)},
	} {
		if err := w.writeBatch(tt.batch, tt.day); err == nil {
			t.Errorf("%s: writeBatch succeeded", tt.name)
		}
	}
}

func TestWriteBatchRotatesAtNewYorkMidnight(t *testing.T) {
	nyc, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		at       []time.Time
		wantDays []string
	}{
		{
			name: "winter, EST",
			at: []time.Time{
				time.Date(2026, 2, 4, 4, 59, 59, 999999999, time.UTC), // 23:59:59.999 on the 3rd in New York
				time.Date(2026, 2, 4, 5, 0, 0, 0, time.UTC),           // midnight on the 4th
			},
			wantDays: []string{"2026-02-03", "2026-02-04"},
		},
		{
			name: "summer, EDT",
			at: []time.Time{
				time.Date(2026, 7, 4, 3, 59, 59, 0, time.UTC),
				time.Date(2026, 7, 4, 4, 0, 0, 0, time.UTC),
			},
			wantDays: []string{"2026-07-03", "2026-07-04"},
		},
		{
			name: "spring-forward day, same UTC date",
			at: []time.Time{
				time.Date(2026, 3, 8, 4, 30, 0, 0, time.UTC), // 23:30 EST on the 7th
				time.Date(2026, 3, 8, 5, 30, 0, 0, time.UTC), // 00:30 EST on the 8th
				time.Date(2026, 3, 8, 7, 30, 0, 0, time.UTC), // 03:30 EDT on the 8th
			},
			wantDays: []string{"2026-03-07", "2026-03-08"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			w := newSegmentWriter(dir)
			defer w.close()
			perDay := map[string][]uint64{}
			for i, at := range tt.at {
				r := testRecord(uint64(i+1), at)
				day := dayOf(at, nyc)
				if err := w.writeBatch(encode(nil, &r), day); err != nil {
					t.Fatal(err)
				}
				perDay[day] = append(perDay[day], r.Seq)
			}
			days, err := listDays(dir)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.wantDays, days); diff != "" {
				t.Fatalf("segments (-want +got):\n%s", diff)
			}
			for _, day := range days {
				recs, err := readDay(dir, day)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(perDay[day], seqsOf(recs)); diff != "" {
					t.Errorf("%s (-want +got):\n%s", day, diff)
				}
			}
		})
	}
}

func TestWriteBatchFailureLeavesFileAsBefore(t *testing.T) {
	enospc := syscall.ENOSPC
	tests := []struct {
		name        string
		write, sync error
		newFile     bool // the failing batch is the first of a new day
	}{
		{name: "short write, disk full", write: enospc},
		{name: "sync fails", sync: syscall.EIO},
		{name: "short write on a new segment", write: enospc, newFile: true},
		{name: "sync fails on a new segment", sync: syscall.EIO, newFile: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			w := newSegmentWriter(dir)
			defer w.close()
			f := injectFaults(w)
			day := "2026-02-03"
			if err := w.writeBatch(batchOf(1, 3), day); err != nil {
				t.Fatal(err)
			}
			if tt.newFile {
				day = "2026-02-04"
			}
			path := segmentPath(dir, day)
			before, _ := os.ReadFile(path) // nil for a segment not yet created

			f.set(tt.write, tt.sync, nil)
			err := w.writeBatch(batchOf(4, 67), day)
			want := tt.write
			if want == nil {
				want = tt.sync
			}
			if !errors.Is(err, want) {
				t.Fatalf("writeBatch err = %v, want %v", err, want)
			}
			if got := readFileOrNil(path); !bytes.Equal(got, before) {
				t.Fatalf("after the failed batch the segment is %d bytes, want the %d from before", len(got), len(before))
			}
			if _, size := w.position(); size != 0 {
				t.Errorf("position after failure = %d, want 0 (no open segment)", size)
			}

			f.set(nil, nil, nil) // space freed
			next := batchOf(68, 70)
			if err := w.writeBatch(next, day); err != nil {
				t.Fatalf("write after recovery: %v", err)
			}
			if got, want := readFile(t, path), append(bytes.Clone(before), next...); !bytes.Equal(got, want) {
				t.Fatalf("segment is not the old content plus the next batch:\n%s", got)
			}
			if err := w.close(); err != nil {
				t.Fatal(err)
			}
			st, err := openDir(dir, zaptest.NewLogger(t), recoverOptions{now: t0, recentMax: 100})
			if err != nil {
				t.Fatal(err)
			}
			if st.records != 6 || st.lastSeq != 70 || st.truncated != 0 || st.corrupt != 0 {
				t.Errorf("recovered %d records, last %d, truncated %d, corrupt %d; want 6, 70, 0, 0",
					st.records, st.lastSeq, st.truncated, st.corrupt)
			}
		})
	}
}

func readFileOrNil(path string) []byte {
	b, _ := os.ReadFile(path)
	return b
}

func TestWriteBatchRetriesFailedTruncation(t *testing.T) {
	dir := t.TempDir()
	w := newSegmentWriter(dir)
	defer w.close()
	f := injectFaults(w)
	const day = "2026-02-03"
	path := segmentPath(dir, day)
	if err := w.writeBatch(batchOf(1, 2), day); err != nil {
		t.Fatal(err)
	}
	before := readFile(t, path)

	f.set(syscall.EIO, nil, syscall.EIO)
	if err := w.writeBatch(batchOf(3, 10), day); !errors.Is(err, syscall.EIO) {
		t.Fatalf("err = %v, want EIO", err)
	}
	if got := readFile(t, path); len(got) <= len(before) {
		t.Fatalf("test premise: the half batch should still be in the file")
	}
	f.set(nil, nil, syscall.EIO)
	if err := w.writeBatch(batchOf(11, 11), day); err == nil {
		t.Fatal("writeBatch appended after an unremoved half batch")
	}
	f.set(nil, nil, nil)
	next := batchOf(12, 12)
	if err := w.writeBatch(next, day); err != nil {
		t.Fatal(err)
	}
	if got, want := readFile(t, path), append(bytes.Clone(before), next...); !bytes.Equal(got, want) {
		t.Errorf("segment =\n%s\nwant\n%s", got, want)
	}
}

func TestWriteBatchStartsFreshLineAfterTornTail(t *testing.T) {
	dir := t.TempDir()
	const day = "2026-02-03"
	old := batchOf(1, 2)
	torn := append(bytes.Clone(old), batchOf(3, 3)[:40]...)
	if err := os.WriteFile(segmentPath(dir, day), torn, 0o640); err != nil {
		t.Fatal(err)
	}
	w := newSegmentWriter(dir)
	if err := w.writeBatch(batchOf(4, 5), day); err != nil {
		t.Fatal(err)
	}
	if err := w.close(); err != nil {
		t.Fatal(err)
	}
	recs, err := readDay(dir, day)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]uint64{1, 2, 4, 5}, seqsOf(recs)); diff != "" {
		t.Errorf("seqs (-want +got):\n%s", diff)
	}
}

// BenchmarkWriteBatch appends batches of 64 records of ~2.4 KB with a real
// fdatasync each, as group commit under load does; batch=1 is the cost of one
// record synced alone (an idle server).
func BenchmarkWriteBatch(b *testing.B) {
	for _, n := range []int{64, 1} {
		b.Run(fmt.Sprintf("batch=%d", n), func(b *testing.B) {
			w := newSegmentWriter(b.TempDir())
			defer w.close()
			var batch []byte
			for s := range uint64(n) {
				r := testRecord(s+1, t0)
				r.Body = benchBody()
				batch = encode(batch, &r)
			}
			b.SetBytes(int64(len(batch)))
			for b.Loop() {
				if err := w.writeBatch(batch, "2026-02-03"); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "records/s")
		})
	}
}
