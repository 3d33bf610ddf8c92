package store

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// After a load has paged in the whole file, ReleaseMapped hands its pages
// back (the mapping's resident size falls), and every item still reads.
func TestReleaseMappedDropsResidentPagesAndKeepsData(t *testing.T) {
	st, b, path := filledStore(t)
	count := func() int {
		n := 0
		if err := b.Load(func(_, v []byte) error { n += len(v) / len(itemValue); return nil }); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(); n != 8000 {
		t.Fatalf("loaded %d items, want 8000", n)
	}
	before := mappedRSS(t, path)
	if before < 4<<20 {
		t.Fatalf("only %d KiB of the file resident after a full load; the test cannot tell", before>>10)
	}
	if err := st.ReleaseMapped(); err != nil {
		t.Fatal(err)
	}
	if after := mappedRSS(t, path); after > before/4 {
		t.Errorf("resident after release %d KiB, before %d KiB", after>>10, before>>10)
	}
	if n := count(); n != 8000 {
		t.Errorf("after release %d items read, want 8000", n)
	}
}

// Commits page the file in as they read the B-tree; a commit made once
// releaseInterval has passed since the last release hands the pages back,
// so the daemon's RSS does not grow with the state file under a steady
// stream of writes (the interval is shortened to none here).
func TestCommitsReleaseMappedPagesPeriodically(t *testing.T) {
	st, b, path := filledStore(t)
	if err := b.Load(func(_, _ []byte) error { return nil }); err != nil { // pages the whole file in
		t.Fatal(err)
	}
	before := mappedRSS(t, path)
	if before < 4<<20 {
		t.Fatalf("only %d KiB of the file resident after a full load; the test cannot tell", before>>10)
	}
	commit := func() {
		t.Helper()
		if err := b.Commit(1, Change{Key: "small", Value: []byte{1}}); err != nil {
			t.Fatal(err)
		}
	}
	st.releaseEvery = time.Hour // the last release was just now (Open)
	commit()
	if still := mappedRSS(t, path); still < before/2 {
		t.Fatalf("resident after a commit inside the interval %d KiB, before %d KiB: released too soon", still>>10, before>>10)
	}
	st.releaseEvery = 0 // the interval has passed
	commit()
	if after := mappedRSS(t, path); after > before/4 {
		t.Errorf("resident after a commit past the interval %d KiB, before %d KiB: not released", after>>10, before>>10)
	}
	if v, err := b.Get("k07-0999"); err != nil || len(v) != len(itemValue) {
		t.Errorf("after the release k07-0999 reads %d bytes (%v), want %d", len(v), err, len(itemValue))
	}
}

// itemValue is every item filledStore writes.
var itemValue = []byte(strings.Repeat("v", 1000))

// filledStore is a state file holding 8 000 items of 1 000 bytes (~8 MB),
// closed when the test ends.
func filledStore(t *testing.T) (*Store, *Bucket, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "state.db")
	st, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	b := st.Bucket("test")
	for batch := range 8 {
		changes := make([]Change, 0, 1000)
		for i := range 1000 {
			changes = append(changes, Change{Key: fmt.Sprintf("k%02d-%04d", batch, i), Value: itemValue})
		}
		if err := b.Commit(0, changes...); err != nil {
			t.Fatal(err)
		}
	}
	return st, b, path
}

// mappedRSS sums the resident size of this process's mappings of path.
func mappedRSS(t *testing.T, path string) int64 {
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Skip("no /proc/self/smaps:", err)
	}
	defer f.Close()
	var total int64
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if fields := strings.Fields(line); len(fields) >= 5 && strings.Contains(fields[0], "-") {
			in = strings.HasSuffix(line, path)
			continue
		}
		if in && strings.HasPrefix(line, "Rss:") {
			var kb int64
			fmt.Sscanf(strings.TrimSpace(strings.TrimPrefix(line, "Rss:")), "%d", &kb)
			total += kb << 10
		}
	}
	return total
}
