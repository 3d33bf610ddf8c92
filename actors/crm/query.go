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
// Only the page returned has its notes read from the store.
func (o *Outbox) list(m messages.GetCRMOutbox) messages.CRMOutbox {
	sel := make([]*entry, 0, len(o.items))
	for _, e := range o.items {
		if e.item.Parked == m.Parked {
			sel = append(sel, e)
		}
	}
	sort.Slice(sel, func(i, j int) bool {
		a, b := &sel[i].item, &sel[j].item
		if !a.CreatedAt.Equal(b.CreatedAt) {
			return a.CreatedAt.Before(b.CreatedAt)
		}
		return a.Update.Key < b.Update.Key
	})
	limit := m.Limit
	if limit <= 0 {
		limit = defaultPage
	}
	limit = min(limit, maxPage)
	out := messages.CRMOutbox{Items: []messages.CRMOutboxItem{}, Pending: len(o.items) - o.parked, Parked: o.parked}
	for i := max(m.Offset, 0); i < len(sel) && len(out.Items) < limit; i++ {
		out.Items = append(out.Items, o.full(sel[i]))
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
		c.Respond(messages.LeadLookup{Ref: m.Ref, Err: "too many CRM look-ups in flight"})
		return
	}
	ctx, client, send, slots := o.ctx, o.d.Client, o.send, o.lookups
	o.wg.Add(1)
	go func() {
		defer o.wg.Done()
		defer func() { <-slots }()
		leads, err := client.SearchLeads(ctx, m.Phone)
		ans := messages.LeadLookup{Ref: m.Ref, Leads: leads}
		if err != nil {
			ans = messages.LeadLookup{Ref: m.Ref, Err: scrub(err.Error())}
		}
		send(asker, ans) // also when cancelled by a stop: the asker learns at once
	}()
}
