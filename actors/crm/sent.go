package crm

import (
	"cmp"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.uber.org/zap"

	"orchestrator/actors/store"
)

// Delivered keys. Memory holds no key: a delivered key is a 64-bit hash
// (Deps.hash) and its delivery time, in sent. The store holds the key, in
// a record "sent:<delivery time, Unix ns, 16 hex digits>:<key>", so the
// records sort oldest first and the oldest are found by a cursor scan,
// without a FIFO in memory. A hash found is only a hint: the update is a
// duplicate if the record its time names is staged or stored. The rare key
// whose hash is already another delivered key's is kept whole in
// sentExact, so it still counts as delivered.
//
// Delivery times only increase (a clock set back repeats the last one plus
// a nanosecond), so every record staged is newer than every record stored,
// and the forgotten ones all lie before the cursor sentFrom.

// sentTimeLen is the hex digits of a record's delivery time.
const sentTimeLen = 16

// errEnough ends a scan of the delivered keys.
var errEnough = errors.New("crm: scan done")

// sentRecord is the store key of key's delivery at ns.
func sentRecord(ns int64, key string) string {
	const hex = "0123456789abcdef"
	b := make([]byte, 0, len(sentPrefix)+sentTimeLen+1+len(key))
	b = append(b, sentPrefix...)
	for shift := 4 * (sentTimeLen - 1); shift >= 0; shift -= 4 {
		b = append(b, hex[uint64(ns)>>shift&0xf])
	}
	b = append(append(b, ':'), key...)
	return string(b)
}

// parseSentRecord reads a store key written by sentRecord.
func parseSentRecord(k string) (ns int64, key string, ok bool) {
	rest, ok := strings.CutPrefix(k, sentPrefix)
	if !ok || len(rest) < sentTimeLen+2 || rest[sentTimeLen] != ':' {
		return 0, "", false
	}
	u, err := strconv.ParseUint(rest[:sentTimeLen], 16, 64)
	if err != nil {
		return 0, "", false
	}
	return int64(u), rest[sentTimeLen+1:], true
}

func putSent(ns int64, key string) store.Change {
	return store.Change{Key: sentRecord(ns, key), Value: encodeSent(time.Unix(0, ns))}
}

func delSent(ns int64, key string) store.Change { return store.Change{Key: sentRecord(ns, key)} }

// remembered is how many delivered keys are remembered.
func (o *Outbox) remembered() int { return len(o.sent) + len(o.sentExact) }

// loadSent takes one record under sentPrefix at load. A record in the
// layout of earlier versions ("sent:<key>", the time in its value) is
// returned for migrateSent.
func (o *Outbox) loadSent(k string, v []byte) (old sentKey, isOld bool) {
	at, err := decodeSent(v)
	if err != nil {
		o.d.Log.Error("crm delivered-key record unreadable; skipped", zap.String("key", logKey(k)), zap.Error(err))
		return sentKey{}, false
	}
	if ns, key, ok := parseSentRecord(k); ok && ns == at.UnixNano() {
		o.rememberLoaded(ns, key)
		return sentKey{}, false
	}
	return sentKey{key: strings.TrimPrefix(k, sentPrefix), at: at.UnixNano()}, true
}

// rememberLoaded puts a stored delivery in memory. A second record of the
// same key (not written by this version) goes to sentExact: each record
// still matches one entry, which prune removes with it.
func (o *Outbox) rememberLoaded(ns int64, key string) {
	o.lastSent = max(o.lastSent, ns)
	h := o.d.hash(key)
	if _, taken := o.sent[h]; !taken {
		o.sent[h] = ns
		return
	}
	o.sentExact[strings.Clone(key)] = ns
}

// migrateSent rewrites the delivered keys of earlier versions in the
// time-ordered layout, dropping those past deliveredTTL, in one
// transaction before anything else is staged: the cursor scans then see
// every record, in delivery order.
func (o *Outbox) migrateSent(old []sentKey, now time.Time) error {
	slices.SortFunc(old, func(a, b sentKey) int { return cmp.Compare(a.at, b.at) })
	changes := make([]store.Change, 0, 2*len(old))
	cutoff, prev, kept := now.Add(-deliveredTTL).UnixNano(), int64(0), 0
	for _, s := range old {
		changes = append(changes, store.Change{Key: sentPrefix + s.key})
		if s.at <= cutoff {
			continue
		}
		ns := max(s.at, prev+1) // a time per record, as for a delivery
		prev = ns
		changes = append(changes, putSent(ns, s.key))
		o.rememberLoaded(ns, s.key)
		kept++
	}
	if err := o.d.Bucket.Commit(0, changes...); err != nil {
		return err
	}
	o.d.Log.Info("crm delivered keys rewritten in the time-ordered layout", zap.Int("kept", kept),
		zap.Int("expired", len(old)-kept))
	return nil
}

// deliveredAt says when key was delivered, if within deliveredTTL at now.
// A hash found counts only once the record it names is found, staged or
// stored; if the store cannot be read the key counts as not delivered: an
// update delivered twice is tolerated, one never delivered is lost.
func (o *Outbox) deliveredAt(key string, now time.Time) (time.Time, bool) {
	ns, exact := o.sentExact[key]
	ok := exact
	if !exact {
		ns, ok = o.sent[o.d.hash(key)]
	}
	at := time.Unix(0, ns).UTC()
	if !ok || now.Sub(at) >= deliveredTTL {
		return time.Time{}, false
	}
	if exact {
		return at, true
	}
	found, err := o.recorded(sentRecord(ns, key))
	if err != nil {
		o.d.Log.Warn("crm delivered key not confirmed, the store cannot be read; queued again",
			zap.String("key", logKey(key)), zap.Error(err))
	}
	return at, found
}

// recorded says whether the store holds k once what is staged is written:
// the staged changes (the next commit's, then the one in flight's) first.
func (o *Outbox) recorded(k string) (bool, error) {
	if c, ok := o.staged(k); ok {
		return c.Value != nil, nil
	}
	v, err := o.d.Bucket.Get(k)
	return v != nil, err
}

// staged is the latest change of k not yet committed.
func (o *Outbox) staged(k string) (store.Change, bool) {
	if c, ok := o.batch.changes[k]; ok {
		return c, true
	}
	if o.writing != nil {
		c, ok := o.writing.batch.changes[k]
		return c, ok
	}
	return store.Change{}, false
}

// remember records a delivery of key at now (or just after the latest
// delivery, if the clock went back), staging its record and the deletion
// of the key's previous one, and forgets the oldest keys past crm.max_items
// (so memory stays bounded even past the TTL's worth of traffic).
func (o *Outbox) remember(key string, now time.Time) {
	ns := max(now.UnixNano(), o.lastSent+1)
	o.lastSent = ns
	if old, ok := o.sentExact[key]; ok {
		o.stage(delSent(old, key))
		o.sentExact[key] = ns
	} else {
		h := o.d.hash(key)
		old, taken := o.sent[h]
		switch {
		case !taken:
			o.sent[h] = ns
		case o.isRecord(old, key): // delivered again, past deliveredTTL
			o.stage(delSent(old, key))
			o.sent[h] = ns
		default: // another key's hash
			o.sentExact[key] = ns
		}
	}
	o.stage(putSent(ns, key))
	limit := max(o.d.Cfg.MaxItems, 1)
	if o.remembered() <= limit {
		return
	}
	if o.forget(func(int64) bool { return o.remembered() > limit }) > 0 && !o.warned {
		o.warned = true
		o.d.Log.Warn("crm delivered keys over crm.max_items; forgetting the oldest before their 7 days",
			zap.Int("max_items", o.d.Cfg.MaxItems))
	}
}

// isRecord says whether key's delivery at ns is recorded; if the store
// cannot be read, no (the key is then kept whole, which is only memory).
func (o *Outbox) isRecord(ns int64, key string) bool {
	found, err := o.recorded(sentRecord(ns, key))
	return err == nil && found
}

// prune forgets delivered keys older than deliveredTTL.
func (o *Outbox) prune(now time.Time) {
	cutoff := now.Add(-deliveredTTL).UnixNano()
	o.forget(func(ns int64) bool { return ns <= cutoff })
}

// forget forgets delivered keys oldest first while while(their delivery
// time) holds, staging the deletion of their records, and returns how many
// it forgot. The oldest are the stored records after the cursor (those
// staged for deletion skipped), then the staged ones, which are all newer.
// The deletions are staged after the scan: a commit started by stage could
// wait for the scan's read transaction.
func (o *Outbox) forget(while func(ns int64) bool) int {
	var gone []store.Change
	enough := false
	visit := func(k string) {
		ns, key, ok := parseSentRecord(k)
		if !ok {
			return // unreadable, logged at load
		}
		if c, staged := o.staged(k); staged && c.Value == nil {
			return // forgotten already, or replaced by a later delivery
		}
		if !while(ns) {
			enough = true
			return
		}
		o.unremember(ns, key)
		gone = append(gone, store.Change{Key: k})
		o.sentFrom = k
	}
	err := o.d.Bucket.LoadFrom(sentPrefix, o.sentFrom, func(k, _ []byte) error {
		if string(k) != o.sentFrom {
			visit(string(k))
		}
		if enough {
			return errEnough
		}
		return nil
	})
	switch {
	case errors.Is(err, errEnough):
	case err != nil:
		o.d.Log.Warn("crm delivered keys not forgotten, the store cannot be read; will try again",
			zap.Int("delivered_keys", o.remembered()), zap.Error(err))
	default:
		for _, k := range o.stagedSent() {
			if visit(k); enough {
				break
			}
		}
	}
	if len(gone) > 0 {
		o.stage(gone...)
	}
	return len(gone)
}

// stagedSent lists the delivery records staged after the cursor, oldest first.
func (o *Outbox) stagedSent() []string {
	var out []string
	add := func(changes map[string]store.Change) {
		for k, c := range changes {
			if c.Value != nil && k > o.sentFrom && strings.HasPrefix(k, sentPrefix) {
				out = append(out, k)
			}
		}
	}
	add(o.batch.changes)
	if o.writing != nil {
		add(o.writing.batch.changes)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// unremember drops from memory the delivery at ns of key, if it is the one
// remembered (a later delivery of the key is kept).
func (o *Outbox) unremember(ns int64, key string) {
	h := o.d.hash(key)
	if at, ok := o.sent[h]; ok && at == ns {
		delete(o.sent, h)
		return
	}
	if at, ok := o.sentExact[key]; ok && at == ns {
		delete(o.sentExact, key)
	}
}
