package crm

import (
	"errors"
	"math/rand/v2"
	"sort"
	"time"

	"go.uber.org/zap"

	"orchestrator/actors/convoso"
	"orchestrator/actors/store"
	"orchestrator/config"
	"orchestrator/messages"
	"orchestrator/supervision"
)

// pump starts the due updates while delivery slots are free, then arms the
// retry timer for the earliest update not yet due. With every slot taken it
// does nothing: the next delivery result pumps again.
func (o *Outbox) pump() {
	free := maxInFlight - len(o.inflight)
	if free <= 0 {
		return
	}
	now := o.now()
	var due []*messages.CRMOutboxItem
	var next time.Time
	for key, it := range o.items {
		switch {
		case it.Parked || o.inflight[key]:
		case !it.NextTry.After(now):
			due = append(due, it)
		case next.IsZero() || it.NextTry.Before(next):
			next = it.NextTry
		}
	}
	sort.Slice(due, func(i, j int) bool {
		a, b := due[i], due[j]
		if !a.NextTry.Equal(b.NextTry) {
			return a.NextTry.Before(b.NextTry)
		}
		if !a.CreatedAt.Equal(b.CreatedAt) {
			return a.CreatedAt.Before(b.CreatedAt)
		}
		return a.Update.Key < b.Update.Key
	})
	for _, it := range due[:min(free, len(due))] {
		o.deliver(it)
	}
	o.armRetry(now, next)
}

// armRetry keeps one "retry" timer armed for next (zero: none needed).
func (o *Outbox) armRetry(now, next time.Time) {
	switch {
	case next.IsZero():
		o.timers.Cancel("retry")
		o.retryAt = time.Time{}
	case !next.Equal(o.retryAt) || !o.timers.Has("retry"):
		o.timers.After("retry", next.Sub(now), retryTick{})
		o.retryAt = next
	}
}

func (o *Outbox) retryDue() {
	o.retryAt = time.Time{}
	o.pump()
}

// sweep is the safety net: forget expired delivered keys, start what is due.
func (o *Outbox) sweep() {
	o.prune(o.now())
	o.pump()
}

// deliver sends one update from a goroutine that touches no field: it gets
// what it needs as arguments and reports back with a deliveryDone. A
// delivery cancelled by Stopping/Restarting reports nothing; its update
// stays pending in the store.
func (o *Outbox) deliver(it *messages.CRMOutboxItem) {
	key := it.Update.Key
	o.inflight[key] = true
	u := leadUpdate(it.Update)
	ctx, client, send, self := o.ctx, o.d.Client, o.send, o.self
	o.wg.Add(1)
	go func() {
		defer o.wg.Done()
		err := client.UpdateLead(ctx, u)
		if ctx.Err() != nil {
			return
		}
		send(self, deliveryDone{owner: o, key: key, err: err})
	}()
}

func leadUpdate(u messages.CRMUpdate) convoso.LeadUpdate {
	u = copyUpdate(u)
	return convoso.LeadUpdate{LeadID: u.LeadID, ListID: u.ListID, Status: u.Status,
		Summary: u.Summary, Transcript: u.Transcript, Fields: u.Fields}
}

// deliveryDone records a delivery's result and starts the next ones.
func (o *Outbox) deliveryDone(m deliveryDone) {
	if m.owner != o || !o.inflight[m.key] {
		return // from an earlier incarnation: this one sends the update again itself
	}
	delete(o.inflight, m.key)
	if it, ok := o.items[m.key]; ok {
		if m.err == nil {
			o.delivered(it)
		} else {
			o.failed(it, m.err)
		}
	}
	o.pump()
}

// delivered removes the update and remembers its key, in one commit.
func (o *Outbox) delivered(it *messages.CRMOutboxItem) {
	now, key := o.now(), it.Update.Key
	delete(o.items, key)
	changes := append([]store.Change{delItem(key)}, o.remember(key, now)...)
	if err := o.commit(0, changes...); err != nil {
		// The CRM has it; if the store still lists it after a restart it is
		// sent again, which a lead update tolerates.
		o.d.Log.Error("crm delivery not recorded in the store", zap.String("key", logKey(key)), zap.Error(err))
	}
	o.d.Metrics.count(resultDelivered)
	o.gauge()
	o.d.Log.Debug("crm lead updated", zap.String("key", logKey(key)), zap.String("lead_id", it.Update.LeadID),
		zap.String("status", it.Update.Status), zap.Int("tries", it.Tries+1))
}

// failed counts a try and schedules the next one, or parks the update.
func (o *Outbox) failed(it *messages.CRMOutboxItem, err error) {
	now, key := o.now(), it.Update.Key
	it.Tries++
	it.LastError = scrub(err.Error())
	wait, park := afterFailure(it.Tries, o.d.Cfg, rand.Float64(), retryAfter(err))
	fields := []zap.Field{zap.String("key", logKey(key)), zap.String("lead_id", it.Update.LeadID),
		zap.String("status", it.Update.Status), zap.Int("tries", it.Tries),
		zap.Bool("rejected", errors.Is(err, convoso.ErrRejected)), zap.String("error", it.LastError)}
	if park {
		it.Parked, it.NextTry = true, time.Time{}
		o.parked++
		o.d.Metrics.count(resultParked)
		o.d.Log.Warn("crm update parked after its last try; an operator must look at it", fields...)
	} else {
		it.NextTry = now.Add(wait)
		o.d.Metrics.count(resultRetried)
		o.d.Log.Info("crm update failed; will retry", append(fields, zap.Time("next_try", it.NextTry))...)
	}
	if err := o.commit(0, o.putItem(it)); err != nil {
		o.d.Log.Error("crm retry state not stored", zap.String("key", logKey(key)), zap.Error(err))
	}
	o.gauge()
}

// afterFailure decides what follows failed try number tries: park it at
// max_tries, else wait the backoff (retry_min doubling to retry_max, jitter
// in [0,1) spreading it over the upper half), or longer when the CRM asked
// with Retry-After (capped at retry_max).
func afterFailure(tries int, cfg config.CRM, jitter float64, asked time.Duration) (wait time.Duration, park bool) {
	if tries >= cfg.MaxTries {
		return 0, true
	}
	wait = supervision.Backoff(tries, cfg.RetryMin, cfg.RetryMax, jitter)
	return max(wait, min(asked, cfg.RetryMax)), false
}

// retryAfter is the wait the CRM asked for, if any.
func retryAfter(err error) time.Duration {
	var ce *convoso.Error
	if errors.As(err, &ce) {
		return ce.RetryAfter
	}
	return 0
}
