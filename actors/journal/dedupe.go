package journal

import (
	"hash/maphash"
	"time"
)

// dedupeEntry is the first record seen with a dedupe key.
type dedupeEntry struct {
	Seq uint64
	At  int64 // unix nanoseconds: a third of a time.Time
}

// digest stands for a key in memory: 128 bits from two seeded hashes, so a
// week of keys costs tens of bytes each instead of the key's length plus
// string headers, with collisions (a distinct webhook taken for a repeat)
// out of reach (~1e-26 for a million keys). Seeds are per process; the index
// is rebuilt from the segments at every start.
type digest [2]uint64

var digestSeeds = [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}

func digestOf(key string) digest {
	return digest{maphash.String(digestSeeds[0], key), maphash.String(digestSeeds[1], key)}
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
	keys   map[digest]dedupeEntry
	chunks [][]dedupeItem // each with capacity dedupeChunk; chunks[0][:head] are pruned
	head   int
}

type dedupeItem struct {
	key digest
	seq uint64
	at  int64
}

func newItem(key string, seq uint64, at time.Time) dedupeItem {
	return dedupeItem{key: digestOf(key), seq: seq, at: at.UnixNano()}
}

// newDedupe returns an index keeping keys for ttl; ttl <= 0 disables dedupe.
func newDedupe(ttl time.Duration) *dedupe {
	return &dedupe{ttl: ttl, keys: make(map[digest]dedupeEntry)}
}

// seen returns the sequence number of the record that first carried key, if that
// was less than ttl before now.
func (d *dedupe) seen(key string, now time.Time) (seq uint64, ok bool) {
	e, ok := d.keys[digestOf(key)]
	if !ok || !d.live(e.At, now.UnixNano()) {
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
	if it := newItem(key, seq, at); d.index(it) {
		d.push(it)
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
	d.keys = make(map[digest]dedupeEntry, n)
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
			if d.live(it.at, now.UnixNano()) {
				return removed
			}
			// A key re-added after it expired has a newer entry; leave that one.
			if e, ok := d.keys[it.key]; ok && e.Seq == it.seq {
				delete(d.keys, it.key)
				removed++
			}
			c[d.head] = dedupeItem{}
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

func (d *dedupe) live(at, now int64) bool { return now < at+int64(d.ttl) }

// forget drops key if it still points at seq: that record's batch failed and
// was never acknowledged, so a retry must be stored, not deduplicated. Its
// FIFO item stays until prune, which skips keys that no longer match.
func (d *dedupe) forget(key string, seq uint64) {
	if e, ok := d.keys[digestOf(key)]; ok && e.Seq == seq {
		delete(d.keys, digestOf(key))
	}
}
