package journal

import "time"

// dedupeEntry is the first record seen with a dedupe key.
type dedupeEntry struct {
	Seq uint64
	At  time.Time
}

// dedupeChunk is the number of keys per FIFO chunk.
const dedupeChunk = 1024

// dedupe remembers dedupe keys for ttl after the record that carried them. Keys
// are also kept in a FIFO in insertion order; records arrive in time order, so
// prune pops expired keys from its front and costs O(expired). The FIFO is a list
// of fixed-size chunks: it never copies on growth and frees chunks as they are
// pruned. Its size is bounded by the keys received within one ttl.
type dedupe struct {
	ttl    time.Duration
	keys   map[string]dedupeEntry
	chunks [][]dedupeItem // each with capacity dedupeChunk; chunks[0][:head] are pruned
	head   int
}

type dedupeItem struct {
	key string
	seq uint64
	at  time.Time
}

// newDedupe returns an index keeping keys for ttl; ttl <= 0 disables dedupe.
func newDedupe(ttl time.Duration) *dedupe {
	return &dedupe{ttl: ttl, keys: make(map[string]dedupeEntry)}
}

// seen returns the sequence number of the record that first carried key, if that
// was less than ttl before now.
func (d *dedupe) seen(key string, now time.Time) (seq uint64, ok bool) {
	e, ok := d.keys[key]
	if !ok || !d.live(e.At, now) {
		return 0, false
	}
	return e.Seq, true
}

// add records that the record seq, received at, carried key. A key already live at
// that instant keeps its first record; an empty key is ignored.
func (d *dedupe) add(key string, seq uint64, at time.Time) {
	if key == "" || d.ttl <= 0 {
		return
	}
	if d.index(dedupeItem{key: key, seq: seq, at: at}) {
		d.push(dedupeItem{key: key, seq: seq, at: at})
	}
}

// index puts it in the map unless its key is live at it.at; it reports whether it did.
func (d *dedupe) index(it dedupeItem) bool {
	if e, ok := d.keys[it.key]; ok && d.live(e.At, it.at) {
		return false
	}
	d.keys[it.key] = dedupeEntry{Seq: it.seq, At: it.at}
	return true
}

func (d *dedupe) push(it dedupeItem) {
	if n := len(d.chunks); n == 0 || len(d.chunks[n-1]) == dedupeChunk {
		d.chunks = append(d.chunks, make([]dedupeItem, 0, dedupeChunk))
	}
	last := &d.chunks[len(d.chunks)-1]
	*last = append(*last, it)
}

// reindex rebuilds the map from the FIFO, for recovery: it pushes keys (in time
// order) and indexes them once at the end, with the map made at its final size,
// which is several times faster than growing it by add. Items that lose to a live
// earlier key stay queued; prune skips them.
func (d *dedupe) reindex() {
	n := 0
	for _, c := range d.chunks {
		n += len(c)
	}
	d.keys = make(map[string]dedupeEntry, n)
	for _, c := range d.chunks {
		for _, it := range c {
			d.index(it)
		}
	}
}

// prune forgets keys that expired by now and returns how many it removed.
func (d *dedupe) prune(now time.Time) int {
	removed := 0
	for len(d.chunks) > 0 {
		c := d.chunks[0]
		for ; d.head < len(c); d.head++ {
			it := c[d.head]
			if d.live(it.at, now) {
				return removed
			}
			// A key re-added after it expired has a newer entry; leave that one.
			if e, ok := d.keys[it.key]; ok && e.Seq == it.seq {
				delete(d.keys, it.key)
				removed++
			}
			c[d.head] = dedupeItem{} // drop the string reference
		}
		if len(c) < dedupeChunk { // the open tail chunk: reuse it
			d.chunks[0], d.head = c[:0], 0
			return removed
		}
		d.chunks[0] = nil
		d.chunks, d.head = d.chunks[1:], 0
	}
	return removed
}

// len is the number of keys held (live or expired but not yet pruned).
func (d *dedupe) len() int { return len(d.keys) }

func (d *dedupe) live(at, now time.Time) bool { return now.Before(at.Add(d.ttl)) }

// forget drops key if it still points at seq: that record's batch failed and
// was never acknowledged, so a retry must be stored, not deduplicated. Its
// FIFO item stays until prune, which skips keys that no longer match.
func (d *dedupe) forget(key string, seq uint64) {
	if e, ok := d.keys[key]; ok && e.Seq == seq {
		delete(d.keys, key)
	}
}
