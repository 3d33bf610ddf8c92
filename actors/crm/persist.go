package crm

import (
	"container/heap"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"go.uber.org/zap"

	"orchestrator/actors/store"
	"orchestrator/messages"
)

// Keys in the bucket: an outbox item under itemPrefix+Key
// (messages.CRMOutboxItem, encodeItem), a delivered key under
// sentPrefix+Key (its delivery time, encodeSent).
const (
	itemPrefix = "item:"
	sentPrefix = "sent:"
)

// sentKey is one delivery, in the order they happened; at is in Unix ns
// (16 bytes less than a time.Time, for up to crm.max_items keys).
type sentKey struct {
	key string
	at  int64
}

// load reads the outbox and the delivered keys. A record that does not
// decode is skipped with an Error: one bad record must not keep every other
// update from being delivered. Only each update's key and delivery state
// stay in memory; the update is read again when it is delivered or listed.
func (o *Outbox) load() error {
	o.items, o.parked = map[string]*entry{}, 0
	o.sent, o.sentFIFO = map[string]int64{}, nil
	err := o.d.Bucket.Load(func(k, v []byte) error {
		key := string(k)
		switch {
		case strings.HasPrefix(key, itemPrefix):
			it, err := decodeItem(v, true)
			if err != nil || it.Update.Key == "" {
				o.d.Log.Error("crm outbox record unreadable; skipped", zap.String("key", logKey(key)), zap.Error(err))
				return nil
			}
			e := &entry{item: it, durable: true, light: true}
			o.items[it.Update.Key] = e
			if it.Parked {
				o.parked++
			} else {
				e.queued = true
				o.retries = append(o.retries, e)
			}
		case strings.HasPrefix(key, sentPrefix):
			at, err := decodeSent(v)
			if err != nil {
				o.d.Log.Error("crm delivered-key record unreadable; skipped", zap.String("key", logKey(key)), zap.Error(err))
				return nil
			}
			key = strings.TrimPrefix(key, sentPrefix)
			o.sent[key] = at.UnixNano()
			o.sentFIFO = append(o.sentFIFO, sentKey{key: key, at: at.UnixNano()})
		}
		return nil
	})
	if err != nil {
		return err
	}
	heap.Init(&o.retries) // due ones first, by NextTry
	sort.Slice(o.sentFIFO, func(i, j int) bool { return o.sentFIFO[i].at < o.sentFIFO[j].at })
	return nil
}

// commit writes changes in one synchronous transaction; safe from any goroutine.
func commit(b *store.Bucket, applied uint64, changes []store.Change) error {
	if err := b.Commit(applied, changes...); err != nil {
		return fmt.Errorf("crm: commit: %w", err)
	}
	return nil
}

func putItem(it messages.CRMOutboxItem) store.Change {
	return store.Change{Key: itemPrefix + it.Update.Key, Value: encodeItem(it)}
}

func delItem(key string) store.Change { return store.Change{Key: itemPrefix + key} }

func putSent(key string, at time.Time) store.Change {
	return store.Change{Key: sentPrefix + key, Value: encodeSent(at)}
}

// loadUpdate reads the update of a stored item; safe from any goroutine.
func loadUpdate(b *store.Bucket, key string) (messages.CRMUpdate, error) {
	raw, err := b.Get(itemPrefix + key)
	switch {
	case err != nil:
		return messages.CRMUpdate{}, fmt.Errorf("crm: read stored update: %w", err)
	case raw == nil:
		return messages.CRMUpdate{}, errors.New("crm: read stored update: not in the store")
	}
	it, err := decodeItem(raw, false)
	if err != nil {
		return messages.CRMUpdate{}, fmt.Errorf("crm: read stored update: %w", err)
	}
	return it.Update, nil
}

// stored is the entry's item with its update, read from the store when it
// is no longer in memory (the update never changes; its delivery state in
// memory is the newer). On a read error the update holds only its key.
func (o *Outbox) stored(e *entry) (messages.CRMOutboxItem, error) {
	it := copyItem(e.item)
	if !e.light {
		return it, nil
	}
	u, err := loadUpdate(o.d.Bucket, e.key())
	if err != nil {
		return it, err
	}
	it.Update = u
	return it, nil
}

// full is stored for an answer: with only its key, logged, if the store cannot be read.
func (o *Outbox) full(e *entry) messages.CRMOutboxItem {
	it, err := o.stored(e)
	if err != nil {
		o.d.Log.Warn("crm stored update unreadable; answered with its key only", zap.String("key", logKey(e.key())), zap.Error(err))
	}
	return it
}

// remember records a delivered key (its putSent is the caller's) and
// stages the deletion of the oldest keys when more than crm.max_items are
// remembered (so memory stays bounded even past the TTL's worth of traffic).
func (o *Outbox) remember(key string, at time.Time) {
	o.sent[key] = at.UnixNano()
	o.sentFIFO = append(o.sentFIFO, sentKey{key: key, at: at.UnixNano()})
	for len(o.sent) > max(o.d.Cfg.MaxItems, 1) && len(o.sentFIFO) > 0 {
		if old := o.popSent(); old != "" {
			o.stage(store.Change{Key: sentPrefix + old})
			if !o.warned {
				o.warned = true
				o.d.Log.Warn("crm delivered keys over crm.max_items; forgetting the oldest before their 7 days",
					zap.Int("max_items", o.d.Cfg.MaxItems))
			}
		}
	}
}

// popSent forgets the oldest delivery and returns its key, or "" when that
// entry was superseded by a later delivery of the same key.
func (o *Outbox) popSent() string {
	head := o.sentFIFO[0]
	o.sentFIFO = o.sentFIFO[1:]
	if at, ok := o.sent[head.key]; ok && at == head.at {
		delete(o.sent, head.key)
		return head.key
	}
	return ""
}

// prune forgets delivered keys older than deliveredTTL.
func (o *Outbox) prune(now time.Time) {
	var changes []store.Change
	for len(o.sentFIFO) > 0 && now.Sub(time.Unix(0, o.sentFIFO[0].at)) >= deliveredTTL {
		if old := o.popSent(); old != "" {
			changes = append(changes, store.Change{Key: sentPrefix + old})
		}
	}
	if len(changes) > 0 {
		o.stage(changes...)
	}
}
