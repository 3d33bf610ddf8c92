package journal

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"
)

// ErrBadDay reports a day that is not a YYYY-MM-DD date.
var ErrBadDay = errors.New("journal: day is not YYYY-MM-DD")

// Page sizes for search: Limit <= 0 means defaultLimit, more than maxLimit is capped.
const (
	defaultLimit = 50
	maxLimit     = 1000
)

// scanBufSize is the read buffer of a lineScanner; longer lines still work.
const scanBufSize = 1 << 20

// The functions in this file only read and may run on any goroutine while the
// writer appends: they use whole lines only and stop before a final line without
// its newline. A record whose batch is being written may be seen before its sync
// completes (or, if the sync then fails, before it is truncated away).

// DayCounts are the per-day totals of the webhook log, by Record.Result.
type DayCounts struct {
	Total              int `json:"total"`
	ValidationFailures int `json:"validation_failures"`
	Blocked            int `json:"blocked"`
	Processed          int `json:"processed"`
	Failed             int `json:"failed"`
}

// add counts one record with the given result.
func (c *DayCounts) add(result string) {
	c.Total++
	switch result {
	case ResultValidationFailed:
		c.ValidationFailures++
	case ResultBlocked:
		c.Blocked++
	case ResultProcessed:
		c.Processed++
	case ResultFailed:
		c.Failed++
	}
}

// Query selects webhook log entries. Day restricts to one day; Phone (normalised)
// and LeadID must both match when set. Limit and Offset page through the matches,
// newest first.
type Query struct {
	Day    string
	Phone  string
	LeadID string
	Limit  int
	Offset int
}

// matches applies the Phone and LeadID conditions (not Day) to r.
func (q *Query) matches(r *Record) bool {
	return (q.Phone == "" || r.Phone == q.Phone) && (q.LeadID == "" || r.LeadID == q.LeadID)
}

// needles are byte strings every matching line contains, exactly as encode writes
// them; lines without them are rejected without decoding.
func (q *Query) needles() [][]byte {
	var n [][]byte
	if q.Phone != "" {
		n = append(n, appendString([]byte(`"phone":`), q.Phone))
	}
	if q.LeadID != "" {
		n = append(n, appendString([]byte(`"lead_id":`), q.LeadID))
	}
	return n
}

func (q *Query) matchLine(js []byte, needles [][]byte) bool {
	if len(needles) == 0 {
		return true
	}
	for _, n := range needles {
		if !bytes.Contains(js, n) {
			return false
		}
	}
	r, err := decodeJSON(js)
	return err == nil && q.matches(&r)
}

func pageBounds(limit, offset int) (int, int) {
	if limit <= 0 {
		limit = defaultLimit
	}
	return min(limit, maxLimit), max(offset, 0)
}

// readDay returns every intact record of day in file order; a missing segment is
// an empty day.
func readDay(dir, day string) ([]Record, error) {
	var out []Record
	err := scanDay(dir, day, newLineScanner(), func(js []byte, _ int64, _ int) error {
		if r, err := decodeJSON(js); err == nil {
			out = append(out, r)
		}
		return nil
	})
	return out, err
}

// countDay counts day's records by result without decoding them.
func countDay(dir, day string) (DayCounts, error) {
	var c DayCounts
	err := scanDay(dir, day, newLineScanner(), func(js []byte, _ int64, _ int) error {
		if h, err := readHead(js); err == nil {
			c.add(string(h.result))
		}
		return nil
	})
	return c, err
}

// search returns one page of the records matching q, newest first, and how many
// match in all. With q.Day set only that day is read, otherwise the given days
// (all segments when days is nil), newest day first. Within a day file order is
// sequence order, so the result is in descending sequence order.
func search(dir string, q Query, days []string) (page []Record, matched int, err error) {
	limit, offset := pageBounds(q.Limit, q.Offset)
	switch {
	case q.Day != "":
		days = []string{q.Day}
	case days == nil:
		if days, err = listDays(dir); err != nil {
			return nil, 0, err
		}
	}
	days = slices.Clone(days)
	slices.Sort(days)
	slices.Reverse(days)

	needles := q.needles()
	sc := newLineScanner()
	var buf []byte
	for _, day := range days {
		if !validDay(day) {
			return nil, 0, fmt.Errorf("%w: %q", ErrBadDay, day)
		}
		f, err := os.Open(segmentPath(dir, day))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, 0, fmt.Errorf("journal: search: %w", err)
		}
		// The newest keep matches of this day are the only ones that can still
		// land on the page; older ones are only counted.
		keep := max(offset+limit-matched, 0)
		var ring []span
		n := 0
		err = scanFile(f, sc, func(js []byte, off int64, size int) error {
			if !q.matchLine(js, needles) {
				return nil
			}
			if keep > 0 {
				if ring == nil {
					ring = make([]span, 0, min(keep, 1024))
				}
				if len(ring) < keep {
					ring = append(ring, span{off, size})
				} else {
					ring[n%keep] = span{off, size}
				}
			}
			n++
			return nil
		})
		// The j-th match of the day (oldest first) has rank matched+n-1-j overall.
		for rank := max(offset, matched); err == nil && rank < min(offset+limit, matched+n); rank++ {
			sp := ring[(matched+n-1-rank)%keep]
			buf = slices.Grow(buf[:0], sp.size)[:sp.size]
			if _, rerr := f.ReadAt(buf, sp.off); rerr != nil {
				continue // truncated meanwhile by a failed batch
			}
			if r, derr := decodeLine(buf); derr == nil {
				page = append(page, r)
			}
		}
		_ = f.Close() // read-only
		if err != nil {
			return nil, 0, fmt.Errorf("journal: search %s: %w", day, err)
		}
		matched += n
	}
	return page, matched, nil
}

// span is where a line lies in its segment.
type span struct {
	off  int64
	size int
}

// replay calls fn for every record with a sequence number above after, in
// sequence order, and stops at fn's first error, which it returns. Segments that
// end before after are skipped by reading the first line of their successor.
func replay(dir string, after uint64, fn func(Record) error) error {
	return replayFrom(dir, after, cursor{}, func(r Record, _ cursor) error { return fn(r) })
}

// cursor is the position just past the record with sequence seq: where a
// replay that stopped there can go on without reading the segment again.
type cursor struct {
	seq uint64
	day string
	off int64
}

// replayFrom is replay that starts at hint when hint is where the record
// after sequence after begins (a subscriber pulling on from where its last
// pull stopped), and tells fn where each record ends. Without a usable hint
// it finds the first segment to read as replay does.
func replayFrom(dir string, after uint64, hint cursor, fn func(Record, cursor) error) error {
	days, err := listDays(dir)
	if err != nil {
		return err
	}
	sc := newLineScanner()
	start, startOff := 0, int64(0)
	if hint.day != "" && hint.seq == after && slices.Contains(days, hint.day) {
		start, startOff = slices.Index(days, hint.day), hint.off
	} else {
		for i := len(days) - 1; i > 0; i-- {
			if first, ok := firstSeq(segmentPath(dir, days[i]), sc); ok && (first <= after || first-1 == after) {
				start = i
				break
			}
		}
	}
	for i, day := range days[start:] {
		off := int64(0)
		if i == 0 {
			off = startOff
		}
		err := scanDayFrom(dir, day, off, sc, func(js []byte, at int64, size int) error {
			h, err := readHead(js)
			if err != nil || h.seq <= after {
				return nil
			}
			r, err := decodeJSON(js)
			if err != nil {
				return nil
			}
			return fn(r, cursor{seq: r.Seq, day: day, off: at + int64(size)})
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func firstSeq(path string, sc *lineScanner) (uint64, bool) {
	f, err := os.Open(path)
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc.reset(f, 0)
	line, _, err := sc.next()
	if err != nil {
		return 0, false
	}
	js, err := verifyLine(line)
	if err != nil {
		return 0, false
	}
	h, err := readHead(js)
	return h.seq, err == nil
}

// listDays returns the days that have a segment, oldest first; a missing
// directory has none.
func listDays(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("journal: list segments: %w", err)
	}
	var days []string
	for _, e := range entries { // ReadDir sorts by name, and so by day
		day, ok := strings.CutSuffix(e.Name(), segmentExt)
		if ok && e.Type().IsRegular() && validDay(day) {
			days = append(days, day)
		}
	}
	return days, nil
}

// deleteBefore removes the segments of days before cutoff and syncs the
// directory. The newest non-empty segment and any after it are always kept: they
// hold the last sequence number, which must survive a restart, and the writer may
// have the newest one open.
func deleteBefore(dir, cutoff string) (removed []string, err error) {
	if !validDay(cutoff) {
		return nil, fmt.Errorf("%w: %q", ErrBadDay, cutoff)
	}
	days, err := listDays(dir)
	if err != nil || len(days) == 0 {
		return nil, err
	}
	keepFrom := len(days) - 1
	for i := len(days) - 1; i >= 0; i-- {
		if fi, err := os.Stat(segmentPath(dir, days[i])); err == nil && fi.Size() > 0 {
			keepFrom = i
			break
		}
	}
	var errs []error
	for _, day := range days[:keepFrom] {
		if day >= cutoff {
			break
		}
		if err := os.Remove(segmentPath(dir, day)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
			continue
		}
		removed = append(removed, day)
	}
	if len(removed) > 0 {
		if err := syncDir(dir); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return removed, fmt.Errorf("journal: retention: %w", errors.Join(errs...))
	}
	return removed, nil
}

// scanDay opens day's segment, if any, and hands fn each intact line.
func scanDay(dir, day string, sc *lineScanner, fn func(js []byte, off int64, size int) error) error {
	return scanDayFrom(dir, day, 0, sc, fn)
}

// scanDayFrom is scanDay starting at byte off, which must be a line start.
func scanDayFrom(dir, day string, off int64, sc *lineScanner, fn func(js []byte, off int64, size int) error) error {
	if !validDay(day) {
		return fmt.Errorf("%w: %q", ErrBadDay, day)
	}
	f, err := os.Open(segmentPath(dir, day))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("journal: read %s: %w", day, err)
	}
	defer f.Close()
	if off > 0 {
		if _, err := f.Seek(off, io.SeekStart); err != nil {
			return fmt.Errorf("journal: read %s: %w", day, err)
		}
	}
	return scanFileFrom(f, off, sc, fn)
}

// scanFile calls fn with the JSON, offset and size of each complete line of r
// whose checksum verifies, skipping corrupt lines and stopping before a final
// line without its newline. The JSON is valid only during the call.
func scanFile(r io.Reader, sc *lineScanner, fn func(js []byte, off int64, size int) error) error {
	return scanFileFrom(r, 0, sc, fn)
}

// scanFileFrom is scanFile for a reader positioned at byte off of its file.
func scanFileFrom(r io.Reader, off int64, sc *lineScanner, fn func(js []byte, off int64, size int) error) error {
	sc.reset(r, off)
	for {
		line, off, err := sc.next()
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return nil
		}
		if err != nil {
			return err
		}
		js, err := verifyLine(line)
		if err != nil {
			continue
		}
		if err := fn(js, off, len(line)); err != nil {
			return err
		}
	}
}

// lineScanner reads newline-terminated lines through one reusable buffer, so
// scanning allocates nothing per line; lines longer than the buffer are
// assembled in a second, reused buffer.
type lineScanner struct {
	rd   *bufio.Reader
	long []byte
	off  int64 // offset of the next line
}

func newLineScanner() *lineScanner {
	return &lineScanner{rd: bufio.NewReaderSize(nil, scanBufSize)}
}

func (s *lineScanner) reset(r io.Reader, off int64) {
	s.rd.Reset(r)
	s.off = off
}

// next returns the next line, including its '\n', and its offset. At the end it
// returns io.EOF, or the final fragment that lacks a newline with
// io.ErrUnexpectedEOF. The line is valid until the next call.
func (s *lineScanner) next() (line []byte, off int64, err error) {
	off = s.off
	line, err = s.rd.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		s.long = append(s.long[:0], line...)
		for err == bufio.ErrBufferFull {
			line, err = s.rd.ReadSlice('\n')
			s.long = append(s.long, line...)
		}
		line = s.long
	}
	s.off += int64(len(line))
	switch {
	case err == nil:
		return line, off, nil
	case err == io.EOF && len(line) == 0:
		return nil, off, io.EOF
	case err == io.EOF:
		return line, off, io.ErrUnexpectedEOF
	default:
		return nil, off, err
	}
}
