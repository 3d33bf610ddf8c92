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
	for ph := range s.holds {
		intent := s.holding(ph)
		if intent == "" {
			continue
		}
		if cl := s.callOf(intent); cl != nil {
			out.Calls = append(out.Calls, cl.info())
		}
	}
	sort.Slice(out.Calls, func(i, j int) bool { return out.Calls[i].RequestedAt.Before(out.Calls[j].RequestedAt) })
	c.Respond(out)
}

func (s *Calls) lookup(c actor.Context, m messages.GetCall) {
	cl := s.anyCallByID(m.CallID)
	if cl == nil {
		c.Respond(messages.CallLookup{})
		return
	}
	c.Respond(messages.CallLookup{Found: true, Call: cl.info()})
}

func (s *Calls) history(c actor.Context, m messages.GetPhoneHistory) {
	out := messages.PhoneHistory{Phone: m.Phone, Attempts: map[string]int{}, Calls: []messages.CallInfo{}}
	if p := s.phoneRecord(m.Phone); p != nil {
		out.Attempts, out.HoldUntil = p.Attempts.asMap(), p.HoldUntil.Time()
		if p.InFlight != "" {
			out.InFlight = p.InFlight
			if cl := s.callOf(p.InFlight); cl != nil && cl.CallID != "" {
				out.InFlight = cl.CallID
			}
		}
	}
	for _, cl := range s.callsOfPhone(m.Phone) {
		out.Calls = append(out.Calls, cl.info())
	}
	sort.Slice(out.Calls, func(i, j int) bool { return out.Calls[i].RequestedAt.After(out.Calls[j].RequestedAt) })
	if len(out.Calls) > maxHistory {
		out.Calls = out.Calls[:maxHistory]
	}
	c.Respond(out)
}

// callsOfPhone are the registry's calls to or from ph: the stored ones, found
// by a scan that decodes only the calls of ph (a week of calls takes tens of
// milliseconds; only the admin API asks), and those in memory, newer.
func (s *Calls) callsOfPhone(ph messages.Phone) []*call {
	byIntent := map[string]*call{}
	scanned(s.d.Bucket.LoadPrefix(callPrefix, func(_, v []byte) error {
		if p, ok := storedPhone(v); ok && string(p) != string(ph) {
			return nil
		}
		if cl, err := decodeCall(v, s.strs); err == nil && cl.Phone == ph {
			byIntent[cl.Intent] = cl
		}
		return nil
	}))
	for _, cl := range s.calls {
		if cl.Phone == ph {
			byIntent[cl.Intent] = cl
		}
	}
	out := make([]*call, 0, len(byIntent))
	for _, cl := range byIntent {
		out = append(out, cl)
	}
	return out
}
