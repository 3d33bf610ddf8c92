package calls

import (
	"cmp"
	"slices"
	"strconv"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"go.uber.org/zap"

	"orchestrator/messages"
)

// complete applies a completion webhook: matched by call id it frees the
// phone (holding it after a transfer); an unknown call id is an inbound call.
// Each call's completion is published once, after its state is committed.
func (s *Calls) complete(c actor.Context, cc messages.CallCompleted) {
	now := s.now().UTC()
	cl := s.callByID(cc.CallID, cc.Phone)
	if cl == nil {
		cl = s.adoptCut(cc)
	}
	if cl == nil {
		if intent := s.holding(cc.Phone); intent != "" {
			if dial := s.calls[intent]; dial != nil && dial.State == stateIntent {
				// The provider's webhook beat its own answer to our request:
				// keep it until the dial is recorded. The first status held
				// is the one applied, as for a call already known.
				if _, held := s.early[cc.CallID]; !held {
					s.early[cc.CallID] = cc
				}
				return
			}
		}
		s.inbound(c, cc)
		return
	}
	if cl.State == stateDone {
		return // a second status for the same call: already published
	}
	late := cl.State == stateUnknown
	cl.State, cl.Outcome, cl.EndedAt = stateDone, cc.Outcome, stampOf(now)
	cl.CompletedSeq, cl.PublishedSeq = cc.Seq, max(cc.Seq, s.applied)
	if p := s.knownPhone(cl.Phone); p != nil {
		if p.InFlight == cl.Intent {
			p.InFlight = ""
		}
		if cc.Transferred && s.d.Cfg.PostTransferHold > 0 {
			p.HoldUntil = stampOf(now.Add(s.d.Cfg.PostTransferHold))
		}
		s.stagePhone(cl.Phone)
	}
	s.stageCall(cl)
	s.stagePublished(cl)
	cc = cl.publication(cc)
	s.outbox = append(s.outbox, cc)
	s.d.Metrics.completed.WithLabelValues(string(cc.Outcome)).Inc()
	s.d.Log.Info("call completed", zap.String("call_id", cc.CallID), zap.String("outcome", string(cc.Outcome)),
		zap.Float64("duration_s", cc.DurationS), zap.String("lead_id", cc.LeadID), zap.Bool("late", late))
}

// adoptCut matches a completion with an unknown call id to our dial that a
// crash cut short: the provider placed the call, but we died before its
// answer gave us the id. Such a dial still holds its phone (as unknown), so
// a completion to that phone from our own caller id is that call, not an
// inbound one: it completes it, and the cadence and the drip see the outcome.
func (s *Calls) adoptCut(cc messages.CallCompleted) *call {
	intent := s.holding(cc.Phone)
	if intent == "" {
		return nil
	}
	cl := s.callOf(intent)
	if cl == nil || cl.State != stateUnknown || cl.CallID != "" || cl.Kind == kindInbound {
		return nil
	}
	if cc.From != "" && string(cc.From) != cl.From && !slices.Contains(s.d.FromNumbers, string(cc.From)) {
		return nil // from someone else: the customer called us
	}
	cl.CallID = cc.CallID // indexed as complete stores it
	s.d.Log.Info("a completion matched a dial cut short by the last stop", zap.String("call_id", cc.CallID),
		zap.String("intent", cl.Intent), zap.String("phone", cl.Phone.Masked()))
	return cl
}

// inbound handles a completion for a call we did not place: the customer is
// "from", unless "from" is one of our own caller ids (then "to"). Without a
// lead id in its variables the CRM is asked who it is before it is published.
func (s *Calls) inbound(c actor.Context, cc messages.CallCompleted) {
	cc.Inbound = true
	if cc.From != "" && !slices.Contains(s.d.FromNumbers, string(cc.From)) {
		cc.Phone = cc.From
	}
	if cc.LeadID == "" && s.d.CRM != nil {
		for _, waiting := range s.lookups {
			if waiting.CallID == cc.CallID {
				return // a second status of a call already waiting for the CRM: that one is published
			}
		}
		s.nextIntent++
		ref := "l" + strconv.FormatUint(s.nextIntent, 10)
		s.lookups[ref] = cc
		c.Request(s.d.CRM, messages.LookupLead{Phone: cc.Phone, Ref: ref})
		s.timers.After("lookup/"+ref, lookupTimeout, lookupExpired{ref: ref})
		return
	}
	s.publishInbound(cc)
}

// lookupTimeout bounds how long an inbound completion waits for the CRM.
const lookupTimeout = 10 * time.Second

// leadFound completes an inbound call with the CRM's lead, if it knew one.
func (s *Calls) leadFound(m messages.LeadLookup) {
	cc, ok := s.lookups[m.Ref]
	if !ok {
		return
	}
	delete(s.lookups, m.Ref)
	s.timers.Cancel("lookup/" + m.Ref)
	if len(m.Leads) > 0 {
		cc.LeadID, cc.ListID = m.Leads[0].LeadID, m.Leads[0].ListID
	} else if m.Err != "" {
		s.d.Log.Warn("CRM look-up for an inbound call failed; published without a lead", zap.String("call_id", cc.CallID), zap.String("err", m.Err))
	}
	s.publishInbound(cc)
	_ = s.commitLogged()
}

// lookupGaveUp publishes an inbound call whose CRM look-up did not answer.
func (s *Calls) lookupGaveUp(ref string) {
	s.leadFound(messages.LeadLookup{Ref: ref, Err: "the CRM did not answer in time"})
}

func (s *Calls) publishInbound(cc messages.CallCompleted) {
	s.recordInbound(cc)
	s.outbox = append(s.outbox, cc)
	s.d.Metrics.completed.WithLabelValues(string(cc.Outcome)).Inc()
	s.d.Log.Info("inbound call completed", zap.String("call_id", cc.CallID), zap.String("outcome", string(cc.Outcome)),
		zap.String("phone", cc.Phone.Masked()), zap.String("lead_id", cc.LeadID))
}

// recordInbound stores an inbound call in the registry (pruned as any other),
// so a second status of it is not published again and a resend can rebuild
// what was published, the CRM's lead included.
func (s *Calls) recordInbound(cc messages.CallCompleted) {
	if cc.CallID == "" || s.callByID(cc.CallID, cc.Phone) != nil {
		return
	}
	now := s.now().UTC()
	cl := &call{
		Intent: "n" + strconv.FormatUint(cc.Seq, 10), CallID: cc.CallID, Kind: kindInbound, Phone: cc.Phone,
		Lead:  leadRef{LeadID: cc.LeadID, ListID: cc.ListID},
		State: stateDone, RequestedAt: stampOf(now), EndedAt: stampOf(now), Outcome: cc.Outcome,
		CompletedSeq: cc.Seq, PublishedSeq: max(cc.Seq, s.applied),
	}
	s.stageCall(cl)
	s.stagePublished(cl)
}

// applyEarly applies a completion that arrived before its dial's answer.
func (s *Calls) applyEarly(c actor.Context, cl *call) {
	cc, ok := s.early[cl.CallID]
	if !ok {
		return
	}
	delete(s.early, cl.CallID)
	s.complete(c, cc)
	_ = s.commitLogged()
}

// releaseEarly re-applies the completions held for ph's dial that turned
// out not to be that dial's (it failed, or the provider gave another call
// id): with the phone no longer held by an intent each is matched afresh,
// as an inbound call or another of ours. Without this they were kept in
// memory for good and never published.
func (s *Calls) releaseEarly(c actor.Context, ph messages.Phone) {
	var other []messages.CallCompleted
	for id, cc := range s.early {
		if cc.Phone == ph {
			other = append(other, cc)
			delete(s.early, id)
		}
	}
	slices.SortFunc(other, func(a, b messages.CallCompleted) int { return cmp.Compare(a.Seq, b.Seq) })
	for _, cc := range other {
		s.complete(c, cc)
	}
	if len(other) > 0 {
		_ = s.commitLogged()
	}
}

// publish sends committed completions to every consumer; one failing
// consumer cannot stop the others (sends never block). A consumer being
// resent to gets a completion past the resend's position from the resend
// instead, so what it receives stays in journal order.
func (s *Calls) publish() {
	for _, cc := range s.outbox {
		for _, pid := range s.d.Consumers {
			if !s.resendWillSend(pid, cc.Seq) {
				s.send(pid, cc)
			}
		}
	}
	s.outbox = s.outbox[:0]
}
