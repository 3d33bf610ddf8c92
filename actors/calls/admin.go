package calls

import (
	"sort"

	"github.com/asynkron/protoactor-go/actor"

	"orchestrator/messages"
)

// maxHistory bounds the calls a phone history lists.
const maxHistory = 50

func (cl *call) info() messages.CallInfo {
	return messages.CallInfo{
		CallID: cl.CallID, Intent: cl.Intent, Kind: cl.Kind, LeadID: cl.Lead.LeadID, ListID: cl.Lead.ListID,
		Phone: cl.Phone, From: cl.From, State: cl.State, RequestedAt: cl.RequestedAt.Time(), DialledAt: cl.DialledAt.Time(),
		EndedAt: cl.EndedAt.Time(), Outcome: cl.Outcome, Error: cl.Error,
	}
}

func (s *Calls) activeList(c actor.Context) {
	out := messages.CallList{Calls: []messages.CallInfo{}}
	for _, p := range s.phones {
		if cl, ok := s.calls[p.InFlight]; ok {
			out.Calls = append(out.Calls, cl.info())
		}
	}
	sort.Slice(out.Calls, func(i, j int) bool { return out.Calls[i].RequestedAt.Before(out.Calls[j].RequestedAt) })
	c.Respond(out)
}

func (s *Calls) lookup(c actor.Context, m messages.GetCall) {
	intent, ok := s.byCallID[m.CallID]
	if !ok {
		c.Respond(messages.CallLookup{})
		return
	}
	c.Respond(messages.CallLookup{Found: true, Call: s.calls[intent].info()})
}

func (s *Calls) history(c actor.Context, m messages.GetPhoneHistory) {
	out := messages.PhoneHistory{Phone: m.Phone, Attempts: map[string]int{}, Calls: []messages.CallInfo{}}
	if p := s.phones[m.Phone]; p != nil {
		out.Attempts, out.HoldUntil = p.Attempts.asMap(), p.HoldUntil.Time()
		if cl, ok := s.calls[p.InFlight]; ok {
			out.InFlight = cl.CallID
			if out.InFlight == "" {
				out.InFlight = cl.Intent
			}
		}
	}
	for _, cl := range s.calls {
		if cl.Phone == m.Phone {
			out.Calls = append(out.Calls, cl.info())
		}
	}
	sort.Slice(out.Calls, func(i, j int) bool { return out.Calls[i].RequestedAt.After(out.Calls[j].RequestedAt) })
	if len(out.Calls) > maxHistory {
		out.Calls = out.Calls[:maxHistory]
	}
	c.Respond(out)
}
