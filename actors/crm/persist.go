package crm

import (
	"container/heap"
	"errors"
	"fmt"
	"strings"

	"go.uber.org/zap"

	"orchestrator/actors/store"
	"orchestrator/messages"
)

// Keys in the bucket: an outbox item under itemPrefix+Key
// (messages.CRMOutboxItem, encodeItem), a delivered key under
// sentPrefix+"<delivery time>:"+Key (sentRecord, sent.go), its value the
// delivery time (encodeSent); earlier versions stored it under sentPrefix+Key.
const (
	itemPrefix = "item:"
	sentPrefix = "sent:"
)

// sentKey is one delivery stored by an earlier version, read at load to be
// rewritten; at is in Unix ns.
type sentKey struct {
	key string
	at  int64
}

// load reads the outbox and the delivered keys. A record that does not
// decode is skipped with an Error: one bad record must not keep every other
// update from being delivered. Only each update's key and delivery state
// stay in memory; the update is read again when it is delivered or listed.
// Delivered keys stored by earlier versions are rewritten (migrateSent); a
// failure to write them fails the start, as a failure to read would.
func (o *Outbox) load() error {
	o.items, o.parked = map[string]*entry{}, 0
	o.sent, o.sentExact, o.lastSent, o.sentFrom = map[uint64]int64{}, map[string]int64{}, 0, ""
	var old []sentKey
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
			if s, isOld := o.loadSent(key, v); isOld {
				old = append(old, s)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	heap.Init(&o.retries) // due ones first, by NextTry
	if len(old) > 0 {
		if err := o.migrateSent(old, o.now()); err != nil {
			return fmt.Errorf("rewrite delivered keys: %w", err)
		}
	}
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
