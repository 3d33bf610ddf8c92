package sms

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"go.uber.org/zap"

	"orchestrator/actors/store"
	"orchestrator/messages"
)

// Kinds of reply actions: each a step another service must acknowledge.
const (
	actBlocklist = "blocklist" // AddBlock → BlockAdded
	actRedial    = "redial"    // CompleteRedial → RedialChanged
	actCRM       = "crm"       // LookupLead (when no lead id) then CRMUpdate → CRMOutboxItem
	actCallback  = "callback"  // DialRequest{sms_callback} → DialResult
)

// action is one pending step of a reply, stored under "act/<id>" until it
// is acknowledged and retried every sms.retry_interval until then. Steps
// are independent: one failing never holds back another.
type action struct {
	ID        string           `json:"id"` // "<journal seq>/<kind>"
	Kind      string           `json:"kind"`
	Phone     messages.Phone   `json:"phone"`
	Lead      messages.SMSLead `json:"lead"`
	CRMKey    string           `json:"crm_key,omitempty"`
	CRMStatus string           `json:"crm_status,omitempty"`
	Note      string           `json:"note,omitempty"` // the reply, for the CRM
	Seq       uint64           `json:"seq"`
	DueAt     time.Time        `json:"due_at"`
	Tries     int              `json:"tries"`
	LastError string           `json:"last_error,omitempty"`
	// Requested marks a call-back whose DialRequest went out: it is never
	// asked for again, so a restart cannot dial the lead twice.
	Requested bool      `json:"requested,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

func (a *action) crm(key, status string) { a.CRMKey, a.CRMStatus = key, status }

func actionChange(a *action) store.Change {
	raw, err := json.Marshal(a)
	if err != nil { // strings, ints and times: cannot happen
		panic(fmt.Sprintf("sms: encode action: %v", err))
	}
	return store.Change{Key: actionPrefix + a.ID, Value: raw}
}

const (
	// askTimeout bounds a request to the blocklist, redial or the CRM
	// outbox, which answer from their own state.
	askTimeout = 5 * time.Second
	// lookupTimeout releases a CRM look-up never answered (it calls out).
	lookupTimeout = 30 * time.Second
	// callbackTimeout ends a call-back the gate never answered; it is not
	// asked again (it may have been dialled).
	callbackTimeout = 10 * time.Minute
	// maxAsking bounds the actions awaiting an answer at once.
	maxAsking = 64
)

// dispatchActions asks for every due action not already awaiting an answer,
// oldest first, and arms the "action" timer for the earliest one not yet due.
func (s *SMS) dispatchActions(c actor.Context, now time.Time) {
	ids := make([]string, 0, len(s.actions))
	for id := range s.actions {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var next time.Time
	for _, id := range ids {
		a := s.actions[id]
		if _, busy := s.asking[id]; busy {
			continue
		}
		if a.DueAt.After(now) {
			if next.IsZero() || a.DueAt.Before(next) {
				next = a.DueAt
			}
			continue
		}
		if len(s.asking) < maxAsking {
			s.ask(c, a, now)
		}
	}
	if next.IsZero() {
		s.timers.Cancel("action")
	} else {
		s.timers.After("action", next.Sub(now), actionTick{})
	}
}

// ask sends one action's request to the service that carries it out.
func (s *SMS) ask(c actor.Context, a *action, now time.Time) {
	a.Tries++
	s.asking[a.ID] = now
	switch a.Kind {
	case actBlocklist:
		s.future(c, s.d.Blocklist, a.ID, messages.AddBlock{Field: messages.BlockPhone, Value: string(a.Phone),
			Reason: "sms opt-out", AddedBy: "sms"})
	case actRedial:
		s.future(c, s.d.Redial, a.ID, messages.CompleteRedial{Phone: a.Phone, Reason: "sms opt-out"})
	case actCRM:
		if a.Lead.LeadID == "" {
			c.Request(s.d.CRM, messages.LookupLead{Phone: a.Phone, Ref: a.ID})
			return
		}
		s.future(c, s.d.CRM, a.ID, messages.CRMUpdate{Key: a.CRMKey, LeadID: a.Lead.LeadID, ListID: a.Lead.ListID,
			Phone: a.Phone, Status: a.CRMStatus, Summary: a.Note, Seq: a.Seq})
	case actCallback:
		a.Requested = true
		if err := s.commit(actionChange(a)); err != nil {
			a.Requested = false
			s.staged = append(s.staged, actionChange(a))
			delete(s.asking, a.ID)
			return
		}
		l := a.Lead
		c.Request(s.d.Calls, messages.DialRequest{Kind: messages.DialSMSCallback, Seq: a.Seq, Ref: a.ID,
			Lead: messages.Lead{Phone: a.Phone, LeadID: l.LeadID, ListID: l.ListID, FirstName: l.FirstName, LastName: l.LastName, State: l.State}})
	default:
		s.d.Log.Error("unknown sms reply action; dropped", zap.String("action", a.ID))
		s.done(a, "unknown kind", now)
	}
}

// future asks pid and has the answer (or the timeout) sent back as an
// actionAnswer by a goroutine the actor waits for when it stops.
func (s *SMS) future(c actor.Context, pid *actor.PID, id string, msg interface{}) {
	self, send := s.self, s.send
	if pid == nil { // not wired: retried, and logged each time, until it is
		send(self, actionAnswer{id: id, err: errors.New("no service to ask")})
		return
	}
	f := c.RequestFuture(pid, msg, askTimeout)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		res, err := f.Result()
		send(self, actionAnswer{id: id, res: res, err: err})
	}()
}

// actionAnswered ends an action its service acknowledged, or plans a retry.
func (s *SMS) actionAnswered(c actor.Context, m actionAnswer, now time.Time) {
	delete(s.asking, m.id)
	a := s.actions[m.id]
	if a == nil {
		return
	}
	var why string
	switch r := m.res.(type) {
	case nil:
		why = fmt.Sprint(m.err)
	case messages.BlockAdded:
		if why = r.Err; why == "" {
			s.done(a, "blocklisted", now)
			return
		}
	case messages.RedialChanged:
		why = "no redial record"
		if r.Found {
			why = "redial record completed"
		}
		s.done(a, why, now)
		return
	case messages.CRMOutboxItem:
		s.done(a, "crm update queued", now)
		return
	case messages.Failed:
		why = r.Actor + " failed: " + r.Reason
	default:
		why = fmt.Sprintf("unexpected answer %T", m.res)
	}
	s.failed(a, why, now)
	s.dispatchActions(c, now)
}

// leadLookedUp gives a CRM action the lead its phone belongs to and asks
// again; a phone the CRM does not know has nothing to update.
func (s *SMS) leadLookedUp(c actor.Context, m messages.LeadLookup, now time.Time) {
	a := s.actions[m.Ref]
	if a == nil || a.Kind != actCRM {
		return
	}
	delete(s.asking, a.ID)
	switch {
	case m.Err != "":
		s.failed(a, "crm look-up: "+m.Err, now)
	case len(m.Leads) == 0:
		s.d.Log.Warn("no CRM lead for the phone of an SMS reply; no CRM update", zap.String("phone", a.Phone.Masked()),
			zap.String("status", a.CRMStatus))
		s.done(a, "no crm lead for this phone", now)
	default:
		a.Lead.LeadID, a.Lead.ListID = m.Leads[0].LeadID, m.Leads[0].ListID
		_ = s.commit(actionChange(a))
		s.ask(c, a, now)
	}
}

// callbackAnswered ends a call-back: whatever the gate decided (dialled,
// queued for the opening, busy with a call already), it was asked once.
func (s *SMS) callbackAnswered(m messages.DialResult, now time.Time) {
	a := s.actions[m.Ref]
	if a == nil || a.Kind != actCallback {
		return
	}
	delete(s.asking, a.ID)
	s.d.Metrics.callbacks.WithLabelValues(string(m.Code)).Inc()
	s.done(a, "dial gate: "+string(m.Code), now)
}

// releaseAsks gives up on answers that will not come: a CRM look-up is
// asked again later, a call-back is not (it may have been dialled).
func (s *SMS) releaseAsks(now time.Time) {
	for id, at := range s.asking {
		a := s.actions[id]
		switch {
		case a == nil:
			delete(s.asking, id)
		case a.Kind == actCallback && a.Requested && now.Sub(at) >= callbackTimeout:
			delete(s.asking, id)
			s.d.Log.Warn("the dial gate never answered a call-back asked for by SMS; not asked again", zap.String("phone", a.Phone.Masked()))
			s.done(a, "dial gate did not answer", now)
		case a.Kind == actCRM && a.Lead.LeadID == "" && now.Sub(at) >= lookupTimeout:
			delete(s.asking, id)
			s.failed(a, "crm look-up unanswered", now)
		}
	}
}

// done forgets an acknowledged action.
func (s *SMS) done(a *action, why string, now time.Time) {
	delete(s.actions, a.ID)
	_ = s.commit(store.Change{Key: actionPrefix + a.ID})
	s.d.Metrics.actions.WithLabelValues(a.Kind, "done").Inc()
	s.d.Metrics.pending.Set(float64(len(s.actions)))
	s.d.Log.Info("sms reply action done", zap.String("action", a.ID), zap.String("phone", a.Phone.Masked()),
		zap.String("result", why), zap.Int("tries", a.Tries), zap.Duration("after", now.Sub(a.CreatedAt)))
}

// failed plans an action's next try one retry interval from now.
func (s *SMS) failed(a *action, why string, now time.Time) {
	a.LastError, a.DueAt = strings.TrimSpace(why), now.Add(s.d.Cfg.RetryInterval)
	_ = s.commit(actionChange(a))
	s.d.Metrics.actions.WithLabelValues(a.Kind, "failed").Inc()
	s.d.Log.Warn("sms reply action failed; retried", zap.String("action", a.ID), zap.String("phone", a.Phone.Masked()),
		zap.String("err", a.LastError), zap.Int("tries", a.Tries), zap.Time("next_try", a.DueAt))
}
