package journal

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

const (
	dayLayout  = "2006-01-02"
	segmentExt = ".log"
	filePerm   = 0o640
	dirPerm    = 0o750
)

// dayOf is the business-timezone calendar day of t, which names its segment.
func dayOf(t time.Time, loc *time.Location) string { return t.In(loc).Format(dayLayout) }

// segmentPath is the file holding day's records.
func segmentPath(dir, day string) string { return filepath.Join(dir, day+segmentExt) }

// validDay reports whether day is a YYYY-MM-DD date (and so safe in a path).
func validDay(day string) bool {
	if len(day) != len(dayLayout) {
		return false
	}
	_, err := time.Parse(dayLayout, day)
	return err == nil
}

// writeFile is the part of *os.File the writer uses. Tests wrap it to make writes
// or syncs fail the way a full or failing disk does.
type writeFile interface {
	io.Writer
	io.ReaderAt
	Stat() (fs.FileInfo, error)
	Truncate(size int64) error
	Close() error
	datasync() error
}

type osFile struct{ *os.File }

func (f osFile) datasync() error { return fdatasync(f.File) }

func openOSFile(path string, flag int) (writeFile, error) {
	f, err := os.OpenFile(path, flag, filePerm)
	if err != nil {
		return nil, err
	}
	return osFile{f}, nil
}

// segmentWriter appends batches of encoded records to the day's segment and makes
// them durable. It is owned by one goroutine; readers use the functions in
// query.go on the same directory concurrently.
//
// A batch is either wholly in the file and synced when writeBatch returns nil, or
// not in it at all: on any failure the file is truncated back to its size before
// the batch, so records whose senders were refused never reappear at recovery.
type segmentWriter struct {
	dir string
	// open opens a segment file; tests replace it to inject faults.
	open func(path string, flag int) (writeFile, error)

	day     string    // day of f
	f       writeFile // nil until the first batch and after a failure
	size    int64     // bytes of f known to be durable
	needNL  bool      // f was found ending in a torn line: start the next batch on a fresh line
	dirSync bool      // a file was created whose directory entry is not yet durable

	// undo is a truncation that failed after a failed batch; it is retried
	// before anything else is written.
	undo *truncation
}

type truncation struct {
	path string
	size int64
}

func newSegmentWriter(dir string) *segmentWriter {
	return &segmentWriter{dir: dir, open: openOSFile}
}

// position is the day and durable size of the open segment ("" and 0 when none is
// open); a reader that stops there sees only synced records.
func (w *segmentWriter) position() (day string, size int64) {
	if w.f == nil {
		return "", 0
	}
	return w.day, w.size
}

// writeBatch appends batch (whole lines, each ending in '\n') to day's segment
// and fdatasyncs it. A change of day closes the previous segment.
func (w *segmentWriter) writeBatch(batch []byte, day string) error {
	if len(batch) == 0 {
		return nil
	}
	if batch[len(batch)-1] != '\n' {
		return errors.New("journal: batch does not end with a newline")
	}
	if err := w.prepare(day); err != nil {
		return err
	}
	if w.dirSync {
		if err := syncDir(w.dir); err != nil {
			return fmt.Errorf("journal: sync directory: %w", err)
		}
		w.dirSync = false
	}

	before := w.size
	n, err := w.append(batch)
	if err == nil {
		err = w.f.datasync()
	}
	if err != nil {
		w.fail(before)
		return fmt.Errorf("journal: append to %s: %w", w.day+segmentExt, err)
	}
	w.size = before + n
	w.needNL = false
	return nil
}

// prepare finishes the undo of a failed batch and opens day's segment.
func (w *segmentWriter) prepare(day string) error {
	if w.undo != nil {
		if err := w.retryUndo(); err != nil {
			return err
		}
	}
	if w.f == nil || w.day != day {
		return w.openDay(day)
	}
	return nil
}

// append writes the batch, preceded by a newline when the file ends in a torn line
// left by an older run.
func (w *segmentWriter) append(batch []byte) (int64, error) {
	var n int64
	if w.needNL {
		if _, err := w.f.Write([]byte{'\n'}); err != nil {
			return 0, err
		}
		n++
	}
	m, err := w.f.Write(batch)
	if err == nil && m < len(batch) {
		err = io.ErrShortWrite
	}
	return n + int64(m), err
}

// fail removes whatever part of a batch reached the file and closes it, so the
// next batch reopens it with a fresh descriptor (after a failed fsync Linux may
// have dropped the dirty pages; nothing written through this descriptor is
// trusted any more).
func (w *segmentWriter) fail(size int64) {
	path := segmentPath(w.dir, w.day)
	if err := w.f.Truncate(size); err != nil {
		w.undo = &truncation{path: path, size: size}
	}
	_ = w.f.Close() // the descriptor is abandoned either way
	w.f = nil
}

func (w *segmentWriter) retryUndo() error {
	f, err := w.open(w.undo.path, os.O_RDWR)
	if err != nil {
		return fmt.Errorf("journal: undo failed batch: %w", err)
	}
	err = f.Truncate(w.undo.size)
	if err == nil {
		err = f.datasync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("journal: undo failed batch: %w", err)
	}
	w.undo = nil
	return nil
}

// openDay closes the current segment and opens (creating if needed) day's.
func (w *segmentWriter) openDay(day string) error {
	if !validDay(day) {
		return fmt.Errorf("journal: bad segment day %q", day)
	}
	if w.f != nil {
		// Every batch in it was synced, so a failing close loses nothing.
		_ = w.f.Close()
		w.f = nil
	}
	if err := w.ensureDir(); err != nil {
		return err
	}
	path := segmentPath(w.dir, day)
	f, err := w.open(path, os.O_RDWR|os.O_APPEND|os.O_CREATE|os.O_EXCL)
	created := err == nil
	if errors.Is(err, fs.ErrExist) {
		f, err = w.open(path, os.O_RDWR|os.O_APPEND)
	}
	if err != nil {
		return fmt.Errorf("journal: open segment: %w", err)
	}
	fi, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return fmt.Errorf("journal: open segment: %w", err)
	}
	needNL := false
	if size := fi.Size(); size > 0 {
		var last [1]byte
		if _, err := f.ReadAt(last[:], size-1); err != nil {
			_ = f.Close()
			return fmt.Errorf("journal: open segment: %w", err)
		}
		needNL = last[0] != '\n'
	}
	w.f, w.day, w.size, w.needNL = f, day, fi.Size(), needNL
	w.dirSync = w.dirSync || created
	return nil
}

// ensureDir creates the journal directory when missing and makes its entry in the
// parent durable.
func (w *segmentWriter) ensureDir() error {
	if _, err := os.Stat(w.dir); err == nil {
		return nil
	}
	if err := os.MkdirAll(w.dir, dirPerm); err != nil {
		return fmt.Errorf("journal: create directory: %w", err)
	}
	if err := syncDir(filepath.Dir(w.dir)); err != nil {
		return fmt.Errorf("journal: sync directory: %w", err)
	}
	return nil
}

// close closes the open segment; every batch in it is already durable.
func (w *segmentWriter) close() error {
	if w.f == nil {
		return nil
	}
	err := w.f.Close()
	w.f = nil
	if err != nil {
		return fmt.Errorf("journal: close segment: %w", err)
	}
	return nil
}

// syncDir makes the directory's entries (created, removed files) durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// probeSize is what probe writes: enough to fail on a full disk.
const probeSize = 4096

// probe checks that day's segment takes writes again after a failure: it
// appends a block, syncs, and truncates the block away. Whatever happens the
// segment ends as it began (a crash mid-probe leaves only a torn tail, which
// recovery truncates).
func (w *segmentWriter) probe(day string) error {
	if err := w.prepare(day); err != nil {
		return err
	}
	before := w.size
	block := make([]byte, probeSize)
	for i := range block {
		block[i] = '\n'
	}
	n, err := w.f.Write(block)
	if err == nil && n < len(block) {
		err = io.ErrShortWrite
	}
	if err == nil {
		err = w.f.datasync()
	}
	if err == nil {
		err = w.f.Truncate(before)
	}
	if err != nil {
		w.fail(before)
		return fmt.Errorf("journal: probe %s: %w", w.day+segmentExt, err)
	}
	return nil
}
