package journal

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var queryDays = []string{"2026-02-03", "2026-02-04", "2026-02-05"}

// queryRecord: phone by seq%3, lead by seq%2, results cycling.
func queryRecord(seq uint64) Record {
	r := testRecord(seq, t0.Add(time.Duration(seq)*time.Minute))
	r.Phone = fmt.Sprintf("+1555000000%d", seq%3)
	r.LeadID = fmt.Sprintf("lead-%d", seq%2)
	r.Result = []string{ResultAccepted, ResultValidationFailed, ResultBlocked, ResultProcessed, ResultFailed}[seq%5]
	return r
}

// writeQueryJournal writes records 1..30, ten per day, plus record 31 on the
// last day whose body (not its Phone) mentions phone +15550000000.
func writeQueryJournal(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	w := newSegmentWriter(dir)
	for i, day := range queryDays {
		var b []byte
		for s := uint64(i*10 + 1); s <= uint64(i*10+10); s++ {
			r := queryRecord(s)
			b = encode(b, &r)
		}
		if day == queryDays[2] {
			r := queryRecord(31)
			r.Phone, r.Body = "", []byte(`{"phone":"+15550000000","lead_id":"lead-1"}`)
			b = encode(b, &r)
		}
		if err := w.writeBatch(b, day); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.close(); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestReadDay(t *testing.T) {
	dir := writeQueryJournal(t)
	recs, err := readDay(dir, queryDays[1])
	if err != nil {
		t.Fatal(err)
	}
	want := []Record{}
	for s := uint64(11); s <= 20; s++ {
		want = append(want, queryRecord(s))
	}
	if diff := cmp.Diff(want, recs); diff != "" {
		t.Errorf("readDay (-want +got):\n%s", diff)
	}

	if recs, err := readDay(dir, "2026-01-01"); err != nil || len(recs) != 0 {
		t.Errorf("missing day: %d records, %v; want none, nil", len(recs), err)
	}
	if _, err := readDay(dir, "../../etc/passwd"); !errors.Is(err, ErrBadDay) {
		t.Errorf("bad day: err = %v, want ErrBadDay", err)
	}

	// A corrupt line is skipped and a torn last line (a batch being written) is not read.
	path := segmentPath(dir, queryDays[0])
	b := readFile(t, path)
	b[bytes.IndexByte(b, '\n')+20] ^= 0x20 // corrupt record 2
	b = append(b, batchOf(99, 99)[:50]...) // torn
	mustWrite(t, path, b)
	recs, err = readDay(dir, queryDays[0])
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]uint64{1, 3, 4, 5, 6, 7, 8, 9, 10}, seqsOf(recs)); diff != "" {
		t.Errorf("damaged day (-want +got):\n%s", diff)
	}
}

func TestCountDay(t *testing.T) {
	dir := writeQueryJournal(t)
	got, err := countDay(dir, queryDays[0]) // seqs 1..10: results by seq%5
	if err != nil {
		t.Fatal(err)
	}
	want := DayCounts{Total: 10, ValidationFailures: 2, Blocked: 2, Processed: 2, Failed: 2}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("countDay (-want +got):\n%s", diff)
	}
	js, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	if string(js) != `{"total":10,"validation_failures":2,"blocked":2,"processed":2,"failed":2}` {
		t.Errorf("DayCounts JSON = %s", js)
	}
	if got, err := countDay(dir, "2026-01-01"); err != nil || got != (DayCounts{}) {
		t.Errorf("missing day: %+v, %v", got, err)
	}
}

func TestSearch(t *testing.T) {
	dir := writeQueryJournal(t)
	phone0 := "+15550000000" // seqs divisible by 3
	tests := []struct {
		name        string
		q           Query
		days        []string
		want        []uint64
		wantMatched int
	}{
		{"day, first page", Query{Day: queryDays[1], Limit: 3}, nil, []uint64{20, 19, 18}, 10},
		{"day, last page", Query{Day: queryDays[1], Limit: 3, Offset: 9}, nil, []uint64{11}, 10},
		{"day, past the end", Query{Day: queryDays[1], Limit: 3, Offset: 10}, nil, nil, 10},
		{"missing day", Query{Day: "2026-01-01"}, nil, nil, 0},
		{"phone, all days", Query{Phone: phone0, Limit: 4}, nil, []uint64{30, 27, 24, 21}, 10},
		{"phone, page across days", Query{Phone: phone0, Limit: 4, Offset: 3}, nil, []uint64{21, 18, 15, 12}, 10},
		{"phone, tail", Query{Phone: phone0, Limit: 4, Offset: 8}, nil, []uint64{6, 3}, 10},
		{"phone and lead", Query{Phone: phone0, LeadID: "lead-1"}, nil, []uint64{27, 21, 15, 9, 3}, 5},
		{"lead", Query{LeadID: "lead-0", Limit: 2, Offset: 1}, nil, []uint64{28, 26}, 15},
		{"phone, given days only", Query{Phone: phone0}, []string{queryDays[0], queryDays[1]}, []uint64{18, 15, 12, 9, 6, 3}, 6},
		{"phone and day", Query{Day: queryDays[0], Phone: phone0}, queryDays, []uint64{9, 6, 3}, 3},
		{"unknown phone", Query{Phone: "+15559999999"}, nil, nil, 0},
		{"no days", Query{Phone: phone0}, []string{}, nil, 0},
		{"default limit", Query{}, nil, seqRange(31, 1), 31},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page, matched, err := search(dir, tt.q, tt.days)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, seqsOf(page)); diff != "" || matched != tt.wantMatched {
				t.Errorf("matched %d, want %d; page (-want +got):\n%s", matched, tt.wantMatched, diff)
			}
			for _, r := range page {
				if want := queryRecord(r.Seq); r.Seq != 31 && !cmp.Equal(want, r) {
					t.Errorf("record %d decoded wrongly: %s", r.Seq, cmp.Diff(want, r))
				}
			}
		})
	}
	if _, _, err := search(dir, Query{Day: "yesterday"}, nil); !errors.Is(err, ErrBadDay) {
		t.Errorf("bad day: err = %v, want ErrBadDay", err)
	}
	if page, matched, err := search(filepath.Join(dir, "missing"), Query{Phone: phone0}, nil); err != nil || matched != 0 || page != nil {
		t.Errorf("missing directory: %v, %d, %v", page, matched, err)
	}
}

func seqRange(from, to uint64) []uint64 {
	var s []uint64
	for i := from; ; i-- {
		s = append(s, i)
		if i == to {
			return s
		}
	}
}

func TestReplay(t *testing.T) {
	dir := writeQueryJournal(t)
	tests := []struct {
		after uint64
		want  []uint64
	}{
		{0, seqRange(31, 1)},
		{5, seqRange(31, 6)},
		{10, seqRange(31, 11)}, // the last record of the first segment
		{11, seqRange(31, 12)},
		{25, seqRange(31, 26)},
		{31, nil},
		{1000, nil},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint("after ", tt.after), func(t *testing.T) {
			var got []uint64
			err := replay(dir, tt.after, func(r Record) error {
				if r.Seq != 31 && !cmp.Equal(queryRecord(r.Seq), r) {
					t.Errorf("record %d decoded wrongly", r.Seq)
				}
				got = append(got, r.Seq)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			slices.Reverse(tt.want)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("replayed (-want +got):\n%s", diff)
			}
		})
	}

	stop := errors.New("stop")
	var n int
	err := replay(dir, 0, func(Record) error {
		if n++; n == 3 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 3 {
		t.Errorf("replay returned %v after %d records; want the callback's error after 3", err, n)
	}
	if err := replay(filepath.Join(dir, "missing"), 0, func(Record) error { return errors.New("called") }); err != nil {
		t.Errorf("missing directory: %v", err)
	}
}

func TestFirstSeq(t *testing.T) {
	dir := writeQueryJournal(t)
	sc := newLineScanner()
	for i, day := range queryDays {
		if got, ok := firstSeq(segmentPath(dir, day), sc); !ok || got != uint64(i*10+1) {
			t.Errorf("firstSeq(%s) = %d, %v; want %d", day, got, ok, i*10+1)
		}
	}
	path := segmentPath(dir, queryDays[1])
	b := readFile(t, path)
	b[15] ^= 0x01 // inside the first record's seq
	mustWrite(t, path, b)
	if got, ok := firstSeq(path, sc); ok {
		t.Errorf("firstSeq of a corrupt first line = %d, ok; the caller must not skip on it", got)
	}
	// replay then reads the first segment instead of trusting the second.
	var got []uint64
	if err := replay(dir, 10, func(r Record) error { got = append(got, r.Seq); return nil }); err != nil {
		t.Fatal(err)
	}
	if want := seqRange(31, 12); !slices.Equal(slices.Sorted(slices.Values(want)), got) {
		t.Errorf("replay after a corrupt first line = %v", got)
	}
}

func TestListDays(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"2026-02-04.log", "notes.txt", "2026-02-30.log", "2026-02-03.log.tmp", "2026-02-03.log", "x.log"} {
		mustWrite(t, filepath.Join(dir, name), nil)
	}
	if err := os.Mkdir(filepath.Join(dir, "2026-02-05.log"), 0o750); err != nil {
		t.Fatal(err)
	}
	got, err := listDays(dir)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"2026-02-03", "2026-02-04"}, got); diff != "" {
		t.Errorf("listDays (-want +got):\n%s", diff)
	}
	if got, err := listDays(filepath.Join(dir, "missing")); err != nil || got != nil {
		t.Errorf("missing directory: %v, %v", got, err)
	}
}

func TestDeleteBefore(t *testing.T) {
	days := []string{"2026-01-01", "2026-01-02", "2026-01-03", "2026-01-04"}
	tests := []struct {
		name        string
		emptyNewest bool // the newest segment exists but is empty (its first batch failed)
		cutoff      string
		wantRemoved []string
		wantLeft    []string
	}{
		{name: "older days go", cutoff: "2026-01-03", wantRemoved: days[:2], wantLeft: days[2:]},
		{name: "nothing older", cutoff: "2026-01-01", wantRemoved: nil, wantLeft: days},
		{name: "the newest segment stays", cutoff: "2027-01-01", wantRemoved: days[:3], wantLeft: days[3:]},
		{name: "the newest non-empty one too", emptyNewest: true, cutoff: "2027-01-01", wantRemoved: days[:2], wantLeft: days[2:]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for i, day := range days {
				b := batchOf(uint64(i+1), uint64(i+1))
				if tt.emptyNewest && i == len(days)-1 {
					b = nil
				}
				mustWrite(t, segmentPath(dir, day), b)
			}
			removed, err := deleteBefore(dir, tt.cutoff)
			if err != nil {
				t.Fatal(err)
			}
			left, err := listDays(dir)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.wantRemoved, removed); diff != "" {
				t.Errorf("removed (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantLeft, left); diff != "" {
				t.Errorf("left (-want +got):\n%s", diff)
			}
		})
	}
	if _, err := deleteBefore(t.TempDir(), "90 days ago"); !errors.Is(err, ErrBadDay) {
		t.Errorf("bad cutoff: err = %v, want ErrBadDay", err)
	}
	if removed, err := deleteBefore(filepath.Join(t.TempDir(), "missing"), "2026-01-01"); err != nil || removed != nil {
		t.Errorf("missing directory: %v, %v", removed, err)
	}
}

// TestReadWhileWriting runs the readers against a segment being appended to: each
// read sees a prefix of the records, whole and in order (run with -race).
func TestReadWhileWriting(t *testing.T) {
	dir := t.TempDir()
	const day, batches, per = "2026-02-03", 100, 8
	w := newSegmentWriter(dir)
	defer w.close()
	done := make(chan struct{})
	var wg sync.WaitGroup
	defer wg.Wait() // before w.close, also when a check fails
	wg.Go(func() {
		defer close(done)
		for i := range uint64(batches) {
			if err := w.writeBatch(batchOf(i*per+1, i*per+per), day); err != nil {
				t.Error(err)
				return
			}
		}
	})
	check := func(what string, seqs []uint64) {
		for i, s := range seqs {
			if s != uint64(i+1) {
				t.Fatalf("%s saw %v: not a prefix of the journal", what, seqs)
			}
		}
	}
	for reading := true; reading; {
		select {
		case <-done:
			reading = false // one last round after the writer finished
		default:
		}
		recs, err := readDay(dir, day)
		if err != nil {
			t.Fatal(err)
		}
		check("readDay", seqsOf(recs))
		var replayed []uint64
		if err := replay(dir, 0, func(r Record) error { replayed = append(replayed, r.Seq); return nil }); err != nil {
			t.Fatal(err)
		}
		check("replay", replayed)
		page, matched, err := search(dir, Query{Day: day, Limit: 5}, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range page {
			if r.Seq != uint64(matched-i) {
				t.Fatalf("search page %v of %d matches is not the newest first", seqsOf(page), matched)
			}
		}
		if !reading && len(recs) != batches*per {
			t.Errorf("after the writer finished readDay saw %d records, want %d", len(recs), batches*per)
		}
	}
}
