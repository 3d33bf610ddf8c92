package crm

import (
	"errors"
	"math/rand/v2"
	"time"

	"go.uber.org/zap"

	"orchestrator/actors/convoso"
	"orchestrator/config"
	"orchestrator/messages"
	"orchestrator/supervision"
)

// deliver sends one update from a goroutine that touches no field: it gets
// what it needs as arguments and reports back with a deliveryDone. An
// update no longer in memory is read from the store by that goroutine
// (bbolt reads run beside the actor's commits); one still in memory is
// handed over (it is never changed once queued) and dropped from the entry
// if stored, a failure bringing it back. A delivery cancelled by
// Stopping/Restarting reports nothing; its update stays pending in the store.
func (o *Outbox) deliver(e *entry) {
	e.inflight = true
	o.inflight++
	u, light := e.item.Update, e.light
	o.lighten(e)
	ctx, client, bucket, send, self := o.ctx, o.d.Client, o.d.Bucket, o.send, o.self
	o.wg.Add(1)
	go func() {
		defer o.wg.Done()
		var err error
		if light {
			u, err = loadUpdate(bucket, u.Key)
		}
		if err == nil {
			err = client.UpdateLead(ctx, leadUpdate(u))
		}
		if ctx.Err() != nil {
			return
		}
		done := deliveryDone{owner: o, e: e, err: err}
		if err != nil {
			done.u = u
		}
		send(self, done)
	}()
}

func leadUpdate(u messages.CRMUpdate) convoso.LeadUpdate {
	return convoso.LeadUpdate{LeadID: u.LeadID, ListID: u.ListID, Status: u.Status,
		Summary: u.Summary, Transcript: u.Transcript, Fields: u.Fields}
}

// deliveryDone records a delivery's result and starts the next ones.
func (o *Outbox) deliveryDone(m deliveryDone) {
	if m.owner != o || !m.e.inflight {
		return // from an earlier incarnation: this one sends the update again itself
	}
	m.e.inflight = false
	o.inflight--
	if o.items[m.e.key()] == m.e {
		if m.err == nil {
			o.delivered(m.e)
		} else {
			o.failed(m.e, m.u, m.err)
		}
	}
	o.pump()
}

// delivered removes the update and remembers its key, in the next commit.
// If that commit is lost to a crash, the update is sent again after the
// restart, which a lead update tolerates.
func (o *Outbox) delivered(e *entry) {
	now, key := o.now(), e.key()
	delete(o.items, key)
	o.stage(delItem(key))
	o.remember(key, now)
	o.d.Metrics.count(resultDelivered)
	o.gauge()
	if ce := o.d.Log.Check(zap.DebugLevel, "crm lead updated"); ce != nil {
		ce.Write(zap.String("key", logKey(key)), zap.Int("tries", e.item.Tries+1))
	}
}

// failed counts a try and schedules the next one, or parks the update,
// storing its new state with u, the update as delivered (read back from
// the store if the delivery could not read it).
func (o *Outbox) failed(e *entry, u messages.CRMUpdate, err error) {
	now, key, it := o.now(), e.key(), &e.item
	it.Tries++
	it.LastError = scrub(err.Error())
	wait, park := afterFailure(it.Tries, o.d.Cfg, rand.Float64(), retryAfter(err))
	if park {
		it.Parked, it.NextTry = true, time.Time{}
	} else {
		it.NextTry = now.Add(wait)
	}
	full, serr := *it, error(nil)
	if u.Key != "" {
		full.Update = u // as the delivery had it: no need to read it back
	} else {
		full, serr = o.stored(e)
	}
	fields := []zap.Field{zap.String("key", logKey(key)), zap.String("lead_id", full.Update.LeadID),
		zap.String("status", full.Update.Status), zap.Int("tries", it.Tries),
		zap.Bool("rejected", errors.Is(err, convoso.ErrRejected)), zap.String("error", it.LastError)}
	if park {
		o.parked++
		o.d.Metrics.count(resultParked)
		o.d.Log.Warn("crm update parked after its last try; an operator must look at it", fields...)
	} else {
		o.d.Metrics.count(resultRetried)
		o.d.Log.Info("crm update failed; will retry", append(fields, zap.Time("next_try", it.NextTry))...)
		o.schedule(e)
	}
	if serr != nil {
		o.d.Log.Error("crm retry state not stored", zap.String("key", logKey(key)), zap.Error(serr))
	} else {
		o.stage(putItem(full))
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
