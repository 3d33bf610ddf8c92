package journal

import (
	"hash/maphash"
	"time"
)

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

// A packed entry holds a key's first record in 8 bytes, so a map slot is 24
// bytes with the digest: the low seqBits bits are the record's sequence number,
// the high bits the minutes from packEpoch to its receipt, rounded up. It covers
// seq < 2^40 (~1.1e12: 3.5 years at 10 000 webhooks a second) and receipt times
// from 2025-01-01 to 2056-11-24 UTC. An entry outside either range is kept exact
// in dedupe.wide instead, so a seq never wraps (a repeat is always answered with
// its original's seq) and old or future clocks are handled, at ~2x the memory
// for those keys only.
//
// Rounding up means a packed key counts as received up to a minute later than
// it was: it stays live for at most one minute past its TTL, never less.
type packed uint64

const (
	seqBits   = 40
	seqMax    = 1<<seqBits - 1
	minuteMax = 1<<(64-seqBits) - 1
	minuteNs  = int64(time.Minute)
	// packEpoch is 2025-01-01T00:00:00Z in unix nanoseconds.
	packEpoch = 1_735_689_600 * int64(time.Second)
)

// pack returns the entry for seq received at (unix nanoseconds), if it fits.
func pack(seq uint64, at int64) (packed, bool) {
	if seq > seqMax || at < packEpoch {
		return 0, false
	}
	m := (uint64(at-packEpoch) + uint64(minuteNs) - 1) / uint64(minuteNs)
	if m > minuteMax {
		return 0, false
	}
	return packed(m<<seqBits | seq), true
}

func (p packed) seq() uint64 { return uint64(p) & seqMax }

// at is the receipt time the TTL counts from, in unix nanoseconds: the true
// one rounded up to a whole minute.
func (p packed) at() int64 { return packEpoch + int64(p>>seqBits)*minuteNs }

// dedupeEntry is a key's first record, exact.
type dedupeEntry struct {
	seq uint64
	at  int64 // unix nanoseconds: a third of a time.Time
}

// dedupe remembers dedupe keys for ttl after the record that carried them. A
// key is in at most one of its maps. Expired keys stay (and are ignored) until
// prune, which walks the maps: it runs daily and at start, and a walk over a
// million keys costs milliseconds, less than keeping a time-ordered queue of
// every key would cost in memory.
type dedupe struct {
	ttl  time.Duration
	keys map[digest]packed
	wide map[digest]dedupeEntry // entries that do not fit packed; nil until one comes
}

// newDedupe returns an index keeping keys for ttl; ttl <= 0 disables dedupe.
func newDedupe(ttl time.Duration) *dedupe {
	return &dedupe{ttl: ttl, keys: make(map[digest]packed)}
}

// seen returns the sequence number of the record that first carried key, if that
// was less than ttl before now (to the minute: see packed).
func (d *dedupe) seen(key string, now time.Time) (seq uint64, ok bool) {
	e, ok := d.get(digestOf(key))
	if !ok || !d.live(e.at, now.UnixNano()) {
		return 0, false
	}
	return e.seq, true
}

// add records that the record seq, received at, carried key. A key already live at
// that instant keeps its first record; an empty key is ignored.
func (d *dedupe) add(key string, seq uint64, at time.Time) {
	if key == "" || d.ttl <= 0 {
		return
	}
	d.index(digestOf(key), seq, at.UnixNano())
}

// index records seq for k unless k is live at at.
func (d *dedupe) index(k digest, seq uint64, at int64) {
	if e, ok := d.get(k); ok && d.live(e.at, at) {
		return
	}
	if p, ok := pack(seq, at); ok {
		d.keys[k] = p
		delete(d.wide, k)
		return
	}
	if d.wide == nil {
		d.wide = make(map[digest]dedupeEntry)
	}
	d.wide[k] = dedupeEntry{seq: seq, at: at}
	delete(d.keys, k)
}

func (d *dedupe) get(k digest) (dedupeEntry, bool) {
	if p, ok := d.keys[k]; ok {
		return dedupeEntry{seq: p.seq(), at: p.at()}, true
	}
	e, ok := d.wide[k]
	return e, ok
}

// prune forgets keys that expired by now and returns how many it removed.
func (d *dedupe) prune(now time.Time) int {
	n, removed := now.UnixNano(), 0
	for k, p := range d.keys {
		if !d.live(p.at(), n) {
			delete(d.keys, k)
			removed++
		}
	}
	for k, e := range d.wide {
		if !d.live(e.at, n) {
			delete(d.wide, k)
			removed++
		}
	}
	return removed
}

// len is the number of keys held (live or expired but not yet pruned).
func (d *dedupe) len() int { return len(d.keys) + len(d.wide) }

// live reports whether a key received at is live at now, both unix nanoseconds.
// The difference cannot overflow for times within a few centuries of each other.
func (d *dedupe) live(at, now int64) bool { return now-at < int64(d.ttl) }

// forget drops key if it still points at seq: that record's batch failed and
// was never acknowledged, so a retry must be stored, not deduplicated.
func (d *dedupe) forget(key string, seq uint64) {
	k := digestOf(key)
	if e, ok := d.get(k); ok && e.seq == seq {
		delete(d.keys, k)
		delete(d.wide, k)
	}
}

// dedupeChunk is the number of keys per dedupeLoader chunk.
const dedupeChunk = 1024

// dedupeLoader collects keys during recovery so that build can make the map at
// its final size, which is several times faster than growing it by add. Keys are
// held in fixed-size chunks: collecting never copies, and build frees each chunk
// once indexed.
type dedupeLoader struct {
	chunks [][]dedupeItem
	n      int
}

type dedupeItem struct {
	key digest
	seq uint64
	at  int64
}

// add queues key for build, in the order the records were received.
func (l *dedupeLoader) add(key string, seq uint64, at time.Time) {
	if key == "" {
		return
	}
	if n := len(l.chunks); n == 0 || len(l.chunks[n-1]) == dedupeChunk {
		l.chunks = append(l.chunks, make([]dedupeItem, 0, dedupeChunk))
	}
	last := &l.chunks[len(l.chunks)-1]
	*last = append(*last, dedupeItem{key: digestOf(key), seq: seq, at: at.UnixNano()})
	l.n++
}

// build returns an index keeping keys for ttl that holds what adding the queued
// keys in turn would, and empties l.
func (l *dedupeLoader) build(ttl time.Duration) *dedupe {
	d := newDedupe(ttl)
	if ttl > 0 {
		d.keys = make(map[digest]packed, l.n)
		for i, c := range l.chunks {
			for _, it := range c {
				d.index(it.key, it.seq, it.at)
			}
			l.chunks[i] = nil
		}
	}
	l.chunks, l.n = nil, 0
	return d
}
