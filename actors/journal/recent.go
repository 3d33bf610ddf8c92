package journal

import "time"

// recordOverhead approximates a Record's fixed in-memory cost beyond its strings,
// headers and body.
const recordOverhead = 256

// recent holds the newest records, at most max of them and, when maxBytes > 0,
// about maxBytes of them (a single record larger than that is still kept alone),
// so "today" can be answered without reading the segment. Records handed in and
// out share their strings and bodies: nobody may modify them.
type recent struct {
	buf      []Record // ring; buf[start] is the oldest of n
	start, n int
	max      int // records; buf grows to it only as records arrive
	bytes    int
	maxBytes int

	// evictedAt is the latest ReceivedAt among records no longer held (or never
	// held, at recovery); evicted says whether there were any.
	evicted   bool
	evictedAt time.Time

	// evictedSeq is, per source, the newest sequence number no longer held;
	// floorSeq the newest of the records never held at recovery, whose
	// sources were not read. A replay for some sources only is answered from
	// memory when none of theirs after its start was let go (holdsAfterFor).
	evictedSeq map[string]uint64
	floorSeq   uint64
}

func newRecent(maxRecords, maxBytes int) *recent {
	return &recent{max: max(maxRecords, 0), maxBytes: maxBytes}
}

// add appends rec as the newest record, evicting the oldest as needed.
func (r *recent) add(rec Record) {
	if r.max == 0 {
		r.noteEvicted(rec.ReceivedAt)
		r.noteEvictedSeq(rec.Source, rec.Seq)
		return
	}
	size := recordSize(&rec)
	for r.n > 0 && (r.n == r.max || (r.maxBytes > 0 && r.bytes+size > r.maxBytes)) {
		r.evictOldest()
	}
	if r.n == len(r.buf) {
		r.grow()
	}
	r.buf[(r.start+r.n)%len(r.buf)] = rec
	r.n++
	r.bytes += size
}

// grow makes room for more records, up to max. The slots are allocated as
// records arrive: with large bodies the byte bound keeps the ring far below
// max, and max slots up front (~200 B each) would be memory never used.
func (r *recent) grow() {
	buf := make([]Record, min(max(2*len(r.buf), 64), r.max))
	for i := range r.n {
		buf[i] = r.buf[(r.start+i)%len(r.buf)]
	}
	r.buf, r.start = buf, 0
}

func (r *recent) evictOldest() {
	old := &r.buf[r.start]
	r.noteEvicted(old.ReceivedAt)
	r.noteEvictedSeq(old.Source, old.Seq)
	r.bytes -= recordSize(old)
	*old = Record{}
	r.start = (r.start + 1) % len(r.buf)
	r.n--
}

// noteEvicted records that a record received at is not (or no longer) held.
func (r *recent) noteEvicted(at time.Time) {
	if !r.evicted || at.After(r.evictedAt) {
		r.evictedAt = at
	}
	r.evicted = true
}

func (r *recent) noteEvictedSeq(source string, seq uint64) {
	if r.evictedSeq == nil {
		r.evictedSeq = map[string]uint64{}
	}
	r.evictedSeq[source] = max(r.evictedSeq[source], seq)
}

// noteNeverHeld records that a record recovered from disk, of a source not
// read, is not held.
func (r *recent) noteNeverHeld(at time.Time, seq uint64) {
	r.noteEvicted(at)
	r.floorSeq = max(r.floorSeq, seq)
}

// len is the number of records held.
func (r *recent) len() int { return r.n }

// covers reports whether every record received at or after since is held.
func (r *recent) covers(since time.Time) bool {
	return !r.evicted || r.evictedAt.Before(since)
}

// each calls fn for the held records, newest first, until fn returns false.
func (r *recent) each(fn func(*Record) bool) {
	for i := r.n - 1; i >= 0; i-- {
		if !fn(&r.buf[(r.start+i)%len(r.buf)]) {
			return
		}
	}
}

// page returns the held records that match, newest first, skipping offset and
// taking at most limit, together with how many matched in all.
func (r *recent) page(match func(*Record) bool, limit, offset int) (page []Record, matched int) {
	limit, offset = pageBounds(limit, offset)
	r.each(func(rec *Record) bool {
		if match != nil && !match(rec) {
			return true
		}
		if matched >= offset && len(page) < limit {
			page = append(page, *rec)
		}
		matched++
		return true
	})
	return page, matched
}

func recordSize(rec *Record) int {
	n := recordOverhead + len(rec.Body) + len(rec.Source) + len(rec.RequestID) + len(rec.DedupeKey) +
		len(rec.Result) + len(rec.Error) + len(rec.Phone) + len(rec.LeadID) + len(rec.CallID)
	for k, v := range rec.Headers {
		n += len(k) + len(v) + 32
	}
	return n
}

// holdsAfterFor reports whether every record of the given sources (all
// when none) with a sequence number above after is held. A consumer of a
// rare source (the leads, the SMS replies) that fell behind the ring while
// other sources filled it is then answered from memory, instead of by
// reading from disk every record since its position.
func (r *recent) holdsAfterFor(after uint64, sources []string) bool {
	if r.holdsAfter(after) {
		return true
	}
	if len(sources) == 0 || r.floorSeq > after {
		return false
	}
	for _, s := range sources {
		if r.evictedSeq[s] > after {
			return false
		}
	}
	return true
}

// holdsAfter reports whether every record with a sequence number above after
// is held: the ring is a contiguous suffix of the log, so it does when its
// oldest record comes right after (or before) after, or nothing was evicted.
func (r *recent) holdsAfter(after uint64) bool {
	if !r.evicted {
		return true
	}
	return r.n > 0 && r.buf[r.start].Seq <= after+1
}
