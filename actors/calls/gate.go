package calls

import (
	"fmt"
	"strconv"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"go.uber.org/zap"

	"orchestrator/messages"
)

// gateReq is one DialRequest going through the gate.
type gateReq struct {
	req    messages.DialRequest
	asker  *actor.PID // nil for the journal intake
	intake bool
	ref    string // of the question now asked
}

// gateQueue serialises the requests for one phone: the next is looked at
// only when the active one is decided, so two can never both pass.
type gateQueue struct {
	active  *gateReq
	waiting []*gateReq
}

// maxWaiting bounds the requests queued for one phone; past it, busy.
const maxWaiting = 64

// gateTimeoutAfter is how long the gate waits for the blocklist or the
// answering-machine tracker before refusing (fail closed).
const gateTimeoutAfter = 5 * time.Second

// dial admits a request to its phone's gate.
func (s *Calls) dial(c actor.Context, req messages.DialRequest, asker *actor.PID, intake bool) {
	g := &gateReq{req: req, asker: asker, intake: intake}
	if req.Lead.Phone == "" {
		s.finish(c, g, messages.DialFailed, "no phone number", time.Time{})
		return
	}
	q := s.gates[req.Lead.Phone]
	if q == nil {
		q = &gateQueue{}
		s.gates[req.Lead.Phone] = q
	}
	if q.active != nil {
		if len(q.waiting) >= maxWaiting {
			s.answer(g, messages.DialBusy, "too many requests waiting for this phone", s.now().Add(s.d.Cfg.BusyRetry), "")
			if intake {
				s.intakeDecided(c, req.Seq)
			}
			return
		}
		q.waiting = append(q.waiting, g)
		return
	}
	q.active = g
	s.checkHours(c, g)
}

// checkHours is rule 1; then the blocklist is asked (rule 2).
func (s *Calls) checkHours(c actor.Context, g *gateReq) {
	now := s.now()
	callback := g.req.Kind == messages.DialCallBack || g.req.Kind == messages.DialSMSCallback
	if !s.d.Schedule.Hours().IsOpen(now) && !(callback && s.d.Schedule.Hours().CallbacksAnytime()) {
		next := s.d.Schedule.Hours().NextOpening(now)
		if g.req.FromQueue {
			s.finish(c, g, messages.DialClosed, "outside business hours", next)
			return
		}
		if s.d.Queue == nil {
			s.finish(c, g, messages.DialClosed, "outside business hours and no off-hours queue", next)
			return
		}
		c.Send(s.d.Queue, messages.EnqueueDial{Request: g.req, Reason: "outside business hours"})
		s.finish(c, g, messages.DialQueuedOffHours, "outside business hours", next)
		return
	}
	s.ask(c, g, s.d.Blocklist, func(ref string) interface{} {
		return messages.CheckBlocked{Phone: g.req.Lead.Phone, LeadID: g.req.Lead.LeadID, Ref: ref}
	})
}

// ask sends the gate's question about g, with a deadline.
func (s *Calls) ask(c actor.Context, g *gateReq, to *actor.PID, question func(ref string) interface{}) {
	s.nextIntent++ // refs and intents share one counter: both only need to be unique
	g.ref = "q" + strconv.FormatUint(s.nextIntent, 10)
	s.asking[g.ref] = g
	c.Request(to, question(g.ref))
	s.timers.After("gate/"+g.ref, gateTimeoutAfter, gateTimeout{ref: g.ref})
}

// answered takes the request a question was about, if it is still waiting.
func (s *Calls) answered(ref string) *gateReq {
	g, ok := s.asking[ref]
	if !ok {
		return nil
	}
	delete(s.asking, ref)
	s.timers.Cancel("gate/" + ref)
	return g
}

func (s *Calls) blockAnswer(c actor.Context, m messages.BlockStatus) {
	g := s.answered(m.Ref)
	if g == nil {
		return
	}
	if m.Blocked {
		reason := "blocklist unavailable (fail closed)"
		if m.Flag != nil {
			reason = fmt.Sprintf("blocklisted %s (%s)", m.Flag.Field, m.Flag.Reason)
		}
		s.finish(c, g, messages.DialBlocked, reason, time.Time{})
		return
	}
	s.checkLocal(c, g)
}

// checkLocal applies rules 3–5 on the actor's own state, then asks the
// answering-machine tracker (rule 6) for new leads.
func (s *Calls) checkLocal(c actor.Context, g *gateReq) {
	if s.refusedLocally(c, g) {
		return
	}
	if g.req.Kind == messages.DialNewLead && s.d.AMTracker != nil {
		s.ask(c, g, s.d.AMTracker, func(ref string) interface{} {
			return messages.CheckAMCap{Ref: ref, LeadID: g.req.Lead.LeadID, Phone: g.req.Lead.Phone}
		})
		return
	}
	s.reserve(c, g)
}

// refusedLocally answers busy, daily_cap or duplicate when one applies.
func (s *Calls) refusedLocally(c actor.Context, g *gateReq) bool {
	now := s.now()
	if len(s.deadlines) > 0 && !s.deadlines[0].at.Time().After(now) {
		s.pendingDue() // a call past calls.pending_timeout no longer holds its phone
	}
	h := s.holds[g.req.Lead.Phone]
	switch {
	case h.call != 0:
		s.finish(c, g, messages.DialBusy, "a call to this phone is in flight", s.retryHeld(intentName(h.call), now))
	case now.Before(h.until.Time()):
		s.finish(c, g, messages.DialBusy, "post-transfer hold", h.until.Time())
	case s.attemptsToday(g.req.Lead.Phone, now) >= s.d.Cfg.MaxDailyPerPhone:
		s.finish(c, g, messages.DialDailyCap, fmt.Sprintf("%d dials today", s.attemptsToday(g.req.Lead.Phone, now)),
			s.d.Schedule.Hours().NextDayOpening(now))
	case s.duplicate(g, now):
		last := s.leadDialled[g.req.Lead.LeadID].Time()
		s.finish(c, g, messages.DialDuplicate, "lead dialled "+now.Sub(last).Round(time.Second).String()+" ago",
			last.Add(s.d.Cfg.DuplicateWindow))
	default:
		return false
	}
	return true
}

// attemptsToday are ph's dials today, from its record (in the state file
// unless it holds something or changed since the last commit).
func (s *Calls) attemptsToday(ph messages.Phone, now time.Time) int {
	if p := s.phoneRecord(ph); p != nil {
		return p.attemptsOn(s.d.Schedule.Hours().Day(now))
	}
	return 0
}

// retryHeld is when to ask again for a phone held by the call intent:
// calls.busy_retry, or sooner when the call gives the phone up sooner (a
// dial cut by a crash is released at its calls.pending_timeout), so the
// cadence redials it then instead of waiting a whole retry.
func (s *Calls) retryHeld(intent string, now time.Time) time.Time {
	retry := now.Add(s.d.Cfg.BusyRetry)
	cl := s.callOf(intent)
	if cl == nil {
		return retry
	}
	if release := cl.since().Add(s.d.Cfg.PendingTimeout); release.After(now) && release.Before(retry) {
		return release
	}
	return retry
}

// duplicate is rule 5: the CRM re-pushing a lead; redials are exempt (their
// spacing is the cadence's job).
func (s *Calls) duplicate(g *gateReq, now time.Time) bool {
	k := g.req.Kind
	if (k != messages.DialNewLead && k != messages.DialCallBack) || g.req.Lead.LeadID == "" {
		return false
	}
	last, ok := s.leadDialled[g.req.Lead.LeadID]
	return ok && now.Sub(last.Time()) < s.d.Cfg.DuplicateWindow
}

func (s *Calls) amCapAnswer(c actor.Context, m messages.AMCapStatus) {
	g := s.answered(m.Ref)
	if g == nil {
		return
	}
	if m.Reached {
		s.finish(c, g, messages.DialAMCap, fmt.Sprintf("answering machine reached %d times today", m.Count),
			s.d.Schedule.Hours().NextDayOpening(s.now()))
		return
	}
	if !s.refusedLocally(c, g) { // re-checked: the world may have moved while we asked
		s.reserve(c, g)
	}
}

// gateTimedOut refuses a request whose question went unanswered: without the
// blocklist's word the gate does not dial.
func (s *Calls) gateTimedOut(c actor.Context, ref string) {
	g := s.answered(ref)
	if g == nil {
		return
	}
	s.d.Log.Warn("gate question unanswered; refusing", zap.String("phone", g.req.Lead.Phone.Masked()))
	s.finish(c, g, messages.DialBusy, "the gate could not check the blocklist or the answering-machine tracker in time",
		s.now().Add(s.d.Cfg.BusyRetry))
}

// finish answers a refusal (or a failure before the provider) and releases
// the phone's gate.
func (s *Calls) finish(c actor.Context, g *gateReq, code messages.DialResultCode, reason string, retryAt time.Time) {
	s.answer(g, code, reason, retryAt, "")
	s.release(c, g)
}

// answer sends the DialResult and counts it.
func (s *Calls) answer(g *gateReq, code messages.DialResultCode, reason string, retryAt time.Time, callID string) {
	s.d.Metrics.dials.WithLabelValues(string(code)).Inc()
	if code != messages.DialDialled {
		s.d.Log.Info("dial refused", zap.String("result", string(code)), zap.String("reason", reason),
			zap.String("kind", string(g.req.Kind)), zap.String("lead_id", g.req.Lead.LeadID),
			zap.String("phone", g.req.Lead.Phone.Masked()), zap.String("request_id", g.req.RequestID))
	}
	if g.asker != nil {
		s.send(g.asker, messages.DialResult{Ref: g.req.Ref, Code: code, Reason: reason, RetryAt: retryAt, CallID: callID})
	}
}

// release lets the next request for the phone through the gate, and the
// journal intake go on when it was waiting for this decision.
func (s *Calls) release(c actor.Context, g *gateReq) {
	phone := g.req.Lead.Phone
	if q := s.gates[phone]; q != nil && q.active == g {
		if len(q.waiting) > 0 {
			q.active, q.waiting = q.waiting[0], q.waiting[1:]
			defer s.checkHours(c, q.active)
		} else {
			delete(s.gates, phone)
		}
	}
	if g.intake {
		s.intakeDecided(c, g.req.Seq)
	}
}
