package crm

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"strconv"

	"github.com/asynkron/protoactor-go/actor"
	"go.uber.org/zap"

	"orchestrator/actors/convoso"
	"orchestrator/messages"
	"orchestrator/supervision"
)

// errNotQueued is the cause of every refusal answered with messages.Failed.
var errNotQueued = errors.New("not queued")

// update queues a CRMUpdate and answers its requester, if any: at once for
// a duplicate or a refusal, after the commit that stores it otherwise.
func (o *Outbox) update(c actor.Context, u messages.CRMUpdate) {
	ack, err := o.enqueue(copyUpdate(u), c.Sender())
	switch {
	case c.Sender() == nil:
	case err != nil:
		c.Respond(messages.Failed{Actor: supervision.CRM, Reason: err.Error()})
	case ack != nil:
		c.Respond(*ack)
	}
}

// callCompleted turns a finished call into an update of its lead. It is
// applied, for the sequence the next commit records, whether it queues an
// update, finds one queued or delivered (a resent completion), or needs none.
func (o *Outbox) callCompleted(m messages.CallCompleted) {
	o.batch.seq = max(o.batch.seq, m.Seq)
	if m.LeadID == "" {
		o.d.Log.Debug("call without a CRM lead; no update", zap.String("call_id", m.CallID), zap.Bool("inbound", m.Inbound))
		return
	}
	_, _ = o.enqueue(fromCall(m), nil)
}

// fromCall is the update a finished call makes to its lead.
func fromCall(m messages.CallCompleted) messages.CRMUpdate {
	fields := map[string]string{"call_duration": strconv.FormatInt(int64(math.Round(m.DurationS)), 10)}
	if m.AnsweredBy != "" {
		fields["answered_by"] = m.AnsweredBy
	}
	key := ""
	if m.CallID != "" {
		key = "call:" + m.CallID
	}
	return messages.CRMUpdate{Key: key, LeadID: m.LeadID, ListID: m.ListID, Phone: m.Phone,
		Status: m.Outcome.CRMStatus(), Summary: m.Summary, Transcript: m.Transcript, Fields: fields, Seq: m.Seq}
}

// enqueue stages a new update (its own: no one else holds its Fields) for
// the next commit and schedules it, or says why it did not: a duplicate is
// not an error, a refusal is. The answer for asker is returned when it is
// known now (a duplicate), or nil when the commit will send it. Without an
// asker the update may be delivered before its commit: a lead update sent
// and then lost in a crash is only sent again if its producer publishes it
// again, which it tolerates.
func (o *Outbox) enqueue(u messages.CRMUpdate, asker *actor.PID) (*messages.CRMOutboxItem, error) {
	now := o.now()
	if why := invalid(u); why != "" {
		o.d.Metrics.count(resultInvalid)
		o.d.Log.Warn("crm update refused", zap.String("reason", why), zap.String("key", logKey(u.Key)), zap.String("lead_id", u.LeadID))
		return nil, fmt.Errorf("%w: %s", errNotQueued, why)
	}
	if e, ok := o.items[u.Key]; ok {
		return o.duplicate(e, asker), nil
	}
	if at, ok := o.deliveredAt(u.Key, now); ok {
		o.d.Metrics.count(resultDuplicate)
		o.d.Log.Debug("crm update already delivered", zap.String("key", logKey(u.Key)), zap.Time("delivered_at", at))
		return &messages.CRMOutboxItem{Update: u, CreatedAt: at}, nil
	}
	if err := o.refuse(u); err != nil {
		return nil, err
	}
	u.Summary, u.Transcript = convoso.Clip(u.Summary, convoso.MaxNote), convoso.Clip(u.Transcript, convoso.MaxNote)
	e := &entry{item: messages.CRMOutboxItem{Update: u, CreatedAt: now, NextTry: now}, waited: asker != nil}
	o.items[u.Key] = e
	o.batch.fresh = append(o.batch.fresh, e)
	if asker != nil {
		o.wait(asker, e) // scheduled once stored
	} else {
		o.d.Metrics.count(resultQueued)
		if o.failing {
			o.schedule(e) // the store is down: deliver now rather than wait for it
		} else {
			e.held = true // delivered once committed (madeDurable)
		}
	}
	o.stage(putItem(e.item))
	o.gauge()
	if ce := o.d.Log.Check(zap.DebugLevel, "crm update queued"); ce != nil { // no fields built when not logged
		ce.Write(zap.String("key", logKey(u.Key)), zap.String("lead_id", u.LeadID), zap.String("status", u.Status))
	}
	o.pump()
	return nil, nil
}

// refuse says why a new update cannot be queued now: the outbox is full, or
// the store is failing and enough changes already wait for it.
func (o *Outbox) refuse(u messages.CRMUpdate) error {
	if len(o.items) >= o.d.Cfg.MaxItems {
		o.d.Metrics.count(resultRefusedFull)
		o.d.Log.Error("crm outbox full; update refused", zap.String("key", logKey(u.Key)), zap.String("lead_id", u.LeadID),
			zap.String("status", u.Status), zap.Int("max_items", o.d.Cfg.MaxItems), zap.Int("parked", o.parked))
		return fmt.Errorf("%w: outbox full (%d items)", errNotQueued, len(o.items))
	}
	if o.failing && len(o.batch.changes) >= maxStaged {
		o.d.Metrics.count(resultStoreFailed)
		o.d.Log.Error("crm store failing; update refused", zap.String("key", logKey(u.Key)), zap.String("lead_id", u.LeadID),
			zap.String("status", u.Status), zap.Int("unstored_changes", len(o.batch.changes)))
		return fmt.Errorf("%w: not stored: the store is failing", errNotQueued)
	}
	return nil
}

// duplicate handles an update whose key is queued already. A requester gets
// the queued item, after its commit if it is not stored yet. A producer
// without a requester (a completed call) makes an item queued by a
// requester its own: it is then kept, and delivered, even if the
// requester's commit fails.
func (o *Outbox) duplicate(e *entry, asker *actor.PID) *messages.CRMOutboxItem {
	o.d.Metrics.count(resultDuplicate)
	o.d.Log.Debug("crm update already queued", zap.String("key", logKey(e.key())), zap.Bool("parked", e.item.Parked))
	switch {
	case asker == nil && e.waited:
		e.waited = false
		o.d.Metrics.count(resultQueued)
		e.held = true // delivered once committed, as its own would be
	case asker == nil:
	case !e.durable:
		o.wait(asker, e)
	default:
		it := o.full(e)
		return &it
	}
	return nil
}

// invalid says why an update cannot be queued, or "".
func invalid(u messages.CRMUpdate) string {
	switch {
	case u.Key == "":
		return "no key"
	case u.LeadID == "":
		return "no lead_id"
	case u.Status == "":
		return "no status"
	}
	return ""
}

func copyUpdate(u messages.CRMUpdate) messages.CRMUpdate {
	u.Fields = maps.Clone(u.Fields)
	return u
}

func copyItem(it messages.CRMOutboxItem) messages.CRMOutboxItem {
	it.Update = copyUpdate(it.Update)
	return it
}
