package journal

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"go.uber.org/zap"
)

// maxCorruptLogs bounds the Error lines one segment can produce; the rest are
// summed up in one line.
const maxCorruptLogs = 20

// recoverOptions say what openDir keeps in memory.
type recoverOptions struct {
	now            time.Time     // dedupe keys older than now-dedupeTTL are not loaded
	dedupeTTL      time.Duration // <= 0: no dedupe
	recentMax      int           // records in the recent ring
	recentMaxBytes int           // approximate bytes in the recent ring, <= 0: no limit
}

// recovered is the journal's state rebuilt from its segments.
type recovered struct {
	lastSeq   uint64   // highest sequence number found, 0 for an empty journal
	records   int      // intact records
	corrupt   int      // corrupt lines skipped (data kept on disk)
	truncated int64    // bytes of torn tail cut from the last segment
	days      []string // segments, oldest first
	dedupe    *dedupe  // keys of records younger than the TTL
	recent    *recent  // the newest records
}

// openDir verifies every segment in dir and rebuilds the in-memory state. A torn
// or corrupt tail of the last segment (from a crash during a write that was never
// acknowledged) is truncated at the end of its last intact line; corrupt lines
// anywhere else are logged and skipped, never deleted. It must run before the
// segmentWriter appends to dir.
//
// Each segment is streamed once through one buffer, checking CRCs and parsing only
// the head of each line; the ring of newest records is decoded at the end.
func openDir(dir string, log *zap.Logger, opt recoverOptions) (recovered, error) {
	st := recovered{
		dedupe: newDedupe(opt.dedupeTTL),
		recent: newRecent(opt.recentMax, opt.recentMaxBytes),
	}
	days, err := listDays(dir)
	if err != nil {
		return st, err
	}
	st.days = days

	sc := newLineScanner()
	// ring holds where the newest recentMax intact lines are.
	ring := make([]linePos, max(opt.recentMax, 0))
	ends := make([]int64, len(days)) // end of the intact data per segment
	dedupeFrom := opt.now.Add(-opt.dedupeTTL)
	var keys dedupeLoader

	for i, day := range days {
		s := segmentScan{
			path: segmentPath(dir, day),
			last: i == len(days)-1,
			log:  log,
		}
		err := s.run(sc, func(js []byte, off int64) error {
			h, err := readHead(js)
			if err != nil {
				return err
			}
			st.lastSeq = max(st.lastSeq, h.seq)
			if len(h.dedupe) > 0 && h.at.After(dedupeFrom) && opt.dedupeTTL > 0 {
				keys.add(h.dedupeKey(), h.seq, h.at)
			}
			if len(ring) > 0 {
				slot := &ring[st.records%len(ring)]
				if st.records >= len(ring) {
					st.recent.noteNeverHeld(slot.at, slot.seq)
				}
				*slot = linePos{seg: i, off: off, at: h.at, seq: h.seq}
			} else {
				st.recent.noteNeverHeld(h.at, h.seq)
			}
			st.records++
			return nil
		})
		if err != nil {
			return st, err
		}
		ends[i] = s.end
		st.corrupt += s.corrupt
		st.truncated += s.truncated
	}

	st.dedupe = keys.build(opt.dedupeTTL)
	if st.records > 0 && len(ring) > 0 {
		oldest := ring[0]
		if st.records > len(ring) {
			oldest = ring[st.records%len(ring)]
		}
		if err := loadRecent(dir, days, ends, oldest, sc, st.recent); err != nil {
			return st, err
		}
	}
	return st, nil
}

// linePos is where an intact line lies, and when its record was received.
type linePos struct {
	seg int
	off int64
	at  time.Time
	seq uint64
}

// loadRecent decodes every intact line from pos to the end of the journal into r.
func loadRecent(dir string, days []string, ends []int64, pos linePos, sc *lineScanner, r *recent) error {
	for i := pos.seg; i < len(days); i++ {
		off := int64(0)
		if i == pos.seg {
			off = pos.off
		}
		f, err := os.Open(segmentPath(dir, days[i]))
		if err != nil {
			return fmt.Errorf("journal: recover recent: %w", err)
		}
		err = scanFile(io.NewSectionReader(f, off, ends[i]-off), sc, func(js []byte, _ int64, _ int) error {
			if rec, err := decodeJSON(js); err == nil {
				r.add(rec)
			}
			return nil
		})
		_ = f.Close() // read-only
		if err != nil {
			return fmt.Errorf("journal: recover recent: %w", err)
		}
	}
	return nil
}

// segmentScan verifies one segment.
type segmentScan struct {
	path string
	last bool
	log  *zap.Logger

	end       int64 // end of the last intact line (after truncation, the file size)
	corrupt   int
	truncated int64
	logged    int // runs of corrupt lines seen
}

// run calls fn for each intact line. Corrupt lines followed by an intact one are
// counted and logged; corrupt lines at the end are the torn tail, cut off in the
// last segment and logged in older ones.
func (s *segmentScan) run(sc *lineScanner, fn func(js []byte, off int64) error) error {
	f, err := os.Open(s.path)
	if err != nil {
		return fmt.Errorf("journal: recover: %w", err)
	}
	defer f.Close()
	sc.reset(f, 0)

	badFrom, badLines := int64(-1), 0 // the run of corrupt lines since the last intact one
	var size int64
	for {
		line, off, err := sc.next()
		if err != nil && err != io.ErrUnexpectedEOF {
			if err == io.EOF {
				size = off
				break
			}
			return fmt.Errorf("journal: recover %s: %w", s.path, err)
		}
		if err == nil { // a fragment without its newline is always torn
			js, verr := verifyLine(line)
			if verr == nil {
				verr = fn(js, off)
			}
			if verr == nil {
				if badFrom >= 0 {
					s.skipped(badFrom, off, badLines)
					badFrom, badLines = -1, 0
				}
				s.end = off + int64(len(line))
				continue
			}
			if !errors.Is(verr, ErrCorrupt) {
				return verr
			}
		}
		if badFrom < 0 {
			badFrom = off
		}
		badLines++
		if err == io.ErrUnexpectedEOF {
			size = off + int64(len(line))
			break
		}
	}
	if s.logged > maxCorruptLogs {
		s.log.Error("journal: more corrupt records skipped",
			zap.String("file", s.path), zap.Int("runs", s.logged-maxCorruptLogs))
	}
	if size == s.end {
		return nil
	}
	if !s.last {
		s.log.Error("journal: corrupt tail in older segment kept",
			zap.String("file", s.path), zap.Int64("offset", s.end), zap.Int64("bytes", size-s.end))
		s.corrupt += badLines
		return nil
	}
	return s.truncate(size)
}

// skipped reports corrupt lines between intact ones: left on disk, not replayed.
func (s *segmentScan) skipped(from, to int64, lines int) {
	s.corrupt += lines
	s.logged++
	if s.logged <= maxCorruptLogs {
		s.log.Error("journal: corrupt record skipped",
			zap.String("file", s.path), zap.Int64("offset", from), zap.Int64("bytes", to-from), zap.Int("lines", lines))
	}
}

// truncate cuts the torn tail of the last segment, which no acknowledged record
// can be part of: every acknowledged batch was synced whole.
func (s *segmentScan) truncate(size int64) error {
	f, err := os.OpenFile(s.path, os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("journal: truncate torn tail: %w", err)
	}
	err = f.Truncate(s.end)
	if err == nil {
		err = fdatasync(f)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("journal: truncate torn tail: %w", err)
	}
	s.truncated = size - s.end
	s.log.Warn("journal: truncated torn tail",
		zap.String("file", s.path), zap.Int64("offset", s.end), zap.Int64("bytes_dropped", s.truncated))
	return nil
}
