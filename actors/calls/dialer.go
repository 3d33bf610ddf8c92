package calls

import (
	"context"
	"slices"
	"strconv"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"go.uber.org/zap"

	"orchestrator/actors/bland"
	"orchestrator/actors/store"
	"orchestrator/messages"
)

// reserve passes the gate: the phone is taken and the attempt counted, and
// the intent is staged; the provider is asked only once a commit has made
// it durable (dialStaged), so a crash can never lead to a second dial of a
// call that may have been placed. Intents reserved while the mailbox is
// worked through share that commit (flushSoon): one fsync for a burst of
// leads, not one per lead.
func (s *Calls) reserve(c actor.Context, g *gateReq) {
	now := s.now()
	s.nextIntent++
	cl := &call{
		Intent: "i" + strconv.FormatUint(s.nextIntent, 10), Kind: g.req.Kind,
		Lead:  leadRef{LeadID: g.req.Lead.LeadID, ListID: s.strs.get(g.req.Lead.ListID)},
		Phone: g.req.Lead.Phone, From: s.callerID(), State: stateIntent, RequestedAt: stampOf(now),
	}
	if g.intake {
		cl.LeadSeq = g.req.Seq
		s.ahead = append(s.ahead, cl.LeadSeq) // until the applied sequence passes it
	}
	day := s.d.Schedule.Hours().Day(now)
	p := s.phoneOf(cl.Phone)
	p.InFlight = cl.Intent
	p.count(day)
	if cl.Lead.LeadID != "" {
		s.noteLeadDialled(cl.Lead.LeadID, cl.RequestedAt)
	}
	s.stageCall(cl)
	s.stagePhone(cl.Phone)
	s.toDial = append(s.toDial, staged{cl: cl, g: g, day: day})
	s.flushSoon()
	s.release(c, g) // later requests for this phone now see it busy; the intake decided this lead
}

// staged is a reserved dial whose intent awaits its commit.
type staged struct {
	cl  *call
	g   *gateReq
	day string
}

// dialStaged asks the provider for every intent a commit just made durable.
func (s *Calls) dialStaged() {
	for _, d := range s.toDial {
		s.startDial(d.cl, d.g)
	}
	clear(s.toDial)
	s.toDial = s.toDial[:0]
}

// abandonStaged undoes the reserved dials whose intents were not stored:
// nothing durable says we dialled, so the phone is let go and the attempt
// taken back, and the removal is staged so a later commit cannot store the
// intent. answer tells each asker why (empty: nobody is told, we stop). An
// abandoned lead from the journal is taken again after a restart.
func (s *Calls) abandonStaged(answer string) {
	now := s.now()
	for _, d := range s.toDial {
		p := s.phoneOf(d.cl.Phone)
		if p.InFlight == d.cl.Intent {
			p.InFlight = ""
		}
		p.uncount(d.day)
		s.stagePhone(d.cl.Phone)
		delete(s.calls, d.cl.Intent)
		s.staged = append(s.staged, store.Change{Key: callPrefix + d.cl.Intent})
		s.unlogLeadDial(d.cl.Lead.LeadID, d.cl.RequestedAt)
		if d.g.intake {
			s.applied = min(s.applied, d.g.req.Seq-1)
			s.ahead = slices.DeleteFunc(s.ahead, func(seq uint64) bool { return seq == d.g.req.Seq })
		}
		if answer != "" {
			s.answer(d.g, messages.DialFailed, answer, now.Add(s.d.Cfg.BusyRetry), "")
		}
	}
	clear(s.toDial)
	s.toDial = s.toDial[:0]
}

// waiting holds the askers of dials whose provider answer is due.
type waiting struct {
	asker *actor.PID
	req   messages.DialRequest
}

// startDial asks the provider on a goroutine owned by the actor.
func (s *Calls) startDial(cl *call, g *gateReq) {
	ctx, cancel := context.WithCancel(s.ctx)
	s.dialing[cl.Intent] = cancel
	s.pendingAnswers[cl.Intent] = waiting{asker: g.asker, req: g.req}
	req := bland.CallRequest{Phone: cl.Phone, Lead: g.req.Lead, From: cl.From, Kind: string(cl.Kind)}
	self, send, dialer := s.self, s.send, s.d.Dialer
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		res, err := dialer.Call(ctx, req)
		send(self, dialDone{intent: cl.Intent, res: res, err: err})
	}()
}

// dialled records the provider's answer and answers the asker.
func (s *Calls) dialled(c actor.Context, m dialDone) {
	if cancel, ok := s.dialing[m.intent]; ok {
		cancel()
		delete(s.dialing, m.intent)
	}
	w := s.pendingAnswers[m.intent]
	delete(s.pendingAnswers, m.intent)
	g := &gateReq{req: w.req, asker: w.asker}
	cl, ok := s.calls[m.intent]
	if !ok || cl.State != stateIntent {
		return
	}
	now := s.now().UTC()
	if m.err != nil {
		cl.State, cl.Error, cl.EndedAt = stateFailed, m.err.Error(), stampOf(now)
		s.letGo(cl.Phone, cl.Intent)
		s.stageCall(cl)
		s.flushSoon()
		s.d.Log.Warn("provider refused the call", zap.String("intent", cl.Intent), zap.String("lead_id", cl.Lead.LeadID),
			zap.String("phone", cl.Phone.Masked()), zap.Error(m.err))
		s.answer(g, messages.DialFailed, m.err.Error(), now.Add(s.d.Cfg.BusyRetry), "")
		s.releaseEarly(c, cl.Phone)
		return
	}
	cl.State, cl.CallID, cl.DialledAt = stateInFlight, m.res.CallID, stampOf(now)
	// Stored with the next commit: nothing waits on it, and after a crash
	// before it the intent (held as unknown) adopts the call's completion.
	s.stageCall(cl)
	s.flushSoon()
	s.expectBy(cl.Intent, s.now().Add(s.d.Cfg.PendingTimeout))
	s.d.Log.Info("dialled", zap.String("call_id", cl.CallID), zap.String("kind", string(cl.Kind)),
		zap.String("lead_id", cl.Lead.LeadID), zap.String("phone", cl.Phone.Masked()), zap.Bool("dry_run", m.res.DryRun))
	s.answer(g, messages.DialDialled, "", time.Time{}, cl.CallID)
	s.applyEarly(c, cl)
	s.releaseEarly(c, cl.Phone)
}

// pendingExpired turns a call with no completion in calls.pending_timeout
// into unknown and frees its phone. A late completion still applies.
func (s *Calls) pendingExpired(intent string) {
	cl := s.callOf(intent)
	if cl == nil {
		return
	}
	if s.holding(cl.Phone) != intent {
		return
	}
	s.letGo(cl.Phone, intent)
	if cl.active() {
		cl.State, cl.EndedAt = stateUnknown, stampOf(s.now())
	}
	s.stageCall(cl)
	s.flushSoon()
	s.d.Metrics.unknown.Inc()
	s.d.Log.Warn("no completion in time; call outcome unknown, phone released", zap.String("call_id", cl.CallID),
		zap.String("intent", intent), zap.String("phone", cl.Phone.Masked()), zap.Duration("pending_timeout", s.d.Cfg.PendingTimeout))
}

// callerID picks our next caller id in turn.
func (s *Calls) callerID() string {
	if len(s.d.FromNumbers) == 0 {
		return ""
	}
	s.nextFrom = (s.nextFrom + 1) % len(s.d.FromNumbers)
	return s.d.FromNumbers[s.nextFrom]
}
