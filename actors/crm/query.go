package crm

import (
	"sort"

	"github.com/asynkron/protoactor-go/actor"
	"go.uber.org/zap"

	"orchestrator/messages"
)

const (
	defaultPage = 50
	maxPage     = 1000 // bounds one answer, whatever the asker wants
)

// list answers GetCRMOutbox: the pending or the parked items, oldest first.
func (o *Outbox) list(m messages.GetCRMOutbox) messages.CRMOutbox {
	sel := make([]*messages.CRMOutboxItem, 0, len(o.items))
	for _, it := range o.items {
		if it.Parked == m.Parked {
			sel = append(sel, it)
		}
	}
	sort.Slice(sel, func(i, j int) bool {
		if !sel[i].CreatedAt.Equal(sel[j].CreatedAt) {
			return sel[i].CreatedAt.Before(sel[j].CreatedAt)
		}
		return sel[i].Update.Key < sel[j].Update.Key
	})
	limit := m.Limit
	if limit <= 0 {
		limit = defaultPage
	}
	limit = min(limit, maxPage)
	out := messages.CRMOutbox{Items: []messages.CRMOutboxItem{}, Pending: len(o.items) - o.parked, Parked: o.parked}
	for i := max(m.Offset, 0); i < len(sel) && len(out.Items) < limit; i++ {
		out.Items = append(out.Items, copyItem(*sel[i]))
	}
	return out
}

// lookup searches the CRM from a goroutine owned by the actor, which answers
// the asker itself; past maxLookups running it answers at once with an error.
func (o *Outbox) lookup(c actor.Context, m messages.LookupLead) {
	asker := c.Sender()
	if asker == nil {
		o.d.Log.Warn("lead look-up without a sender to answer; ignored", zap.String("phone", m.Phone.Masked()))
		return
	}
	select {
	case o.lookups <- struct{}{}:
	default:
		c.Respond(messages.LeadLookup{Err: "too many CRM look-ups in flight"})
		return
	}
	ctx, client, send, slots := o.ctx, o.d.Client, o.send, o.lookups
	o.wg.Add(1)
	go func() {
		defer o.wg.Done()
		defer func() { <-slots }()
		leads, err := client.SearchLeads(ctx, m.Phone)
		ans := messages.LeadLookup{Leads: leads}
		if err != nil {
			ans = messages.LeadLookup{Err: scrub(err.Error())}
		}
		send(asker, ans) // also when cancelled by a stop: the asker learns at once
	}()
}
