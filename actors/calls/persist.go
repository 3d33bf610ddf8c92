package calls

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"go.uber.org/zap"

	"orchestrator/actors/store"
	"orchestrator/messages"
)

// Keys in the "calls" bucket.
const (
	callPrefix  = "call/"
	phonePrefix = "phone/"
	leadPrefix  = "lead/"
)

// load rebuilds the registry. A call that was an intent when the last run
// ended may or may not have been placed: it becomes unknown, still holding
// its phone until calls.pending_timeout, and is never redialled.
func (s *Calls) load() error {
	s.calls, s.byCallID = map[string]*call{}, map[string]string{}
	s.phones, s.leadDialled = map[messages.Phone]*phone{}, map[string]time.Time{}
	applied, err := s.d.Bucket.Applied()
	if err != nil {
		return err
	}
	s.applied, s.intake.pos = applied, applied
	err = s.d.Bucket.Load(func(k, v []byte) error {
		key := string(k)
		switch {
		case strings.HasPrefix(key, callPrefix):
			cl := &call{}
			if err := json.Unmarshal(v, cl); err != nil {
				return err
			}
			s.calls[cl.Intent] = cl
			if cl.CallID != "" {
				s.byCallID[cl.CallID] = cl.Intent
			}
			if n, err := strconv.ParseUint(strings.TrimPrefix(cl.Intent, "i"), 10, 64); err == nil && n > s.nextIntent {
				s.nextIntent = n
			}
		case strings.HasPrefix(key, phonePrefix):
			p := &phone{}
			if err := json.Unmarshal(v, p); err != nil {
				return err
			}
			s.phones[messages.Phone(strings.TrimPrefix(key, phonePrefix))] = p
		case strings.HasPrefix(key, leadPrefix):
			var at time.Time
			if err := json.Unmarshal(v, &at); err != nil {
				return err
			}
			s.leadDialled[strings.TrimPrefix(key, leadPrefix)] = at
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, p := range s.phones {
		if p.InFlight != "" {
			s.held++
		}
	}
	for _, cl := range s.calls {
		if cl.State == stateIntent {
			cl.State = stateUnknown
			s.stageCall(cl)
			s.d.Log.Warn("a dial was cut short by the last stop; its phone stays held as unknown until calls.pending_timeout",
				zap.String("intent", cl.Intent), zap.String("phone", cl.Phone.Masked()))
		}
		if p := s.phones[cl.Phone]; p != nil && p.InFlight == cl.Intent {
			since := cl.DialledAt
			if since.IsZero() {
				since = cl.RequestedAt
			}
			s.expectBy(cl.Intent, since.Add(s.d.Cfg.PendingTimeout))
		}
	}
	return s.commit()
}

func (s *Calls) stageCall(cl *call) {
	raw, _ := json.Marshal(cl)
	s.staged = append(s.staged, store.Change{Key: callPrefix + cl.Intent, Value: raw})
	if cl.Lead.LeadID != "" {
		if at, ok := s.leadDialled[cl.Lead.LeadID]; ok {
			rawAt, _ := json.Marshal(at)
			s.staged = append(s.staged, store.Change{Key: leadPrefix + cl.Lead.LeadID, Value: rawAt})
		}
	}
}

func (s *Calls) stagePhone(ph messages.Phone) {
	p := s.phones[ph]
	if p == nil {
		s.staged = append(s.staged, deletePhone(ph))
		return
	}
	raw, _ := json.Marshal(p)
	s.staged = append(s.staged, store.Change{Key: phonePrefix + string(ph), Value: raw})
}

func deleteCall(intent string) store.Change      { return store.Change{Key: callPrefix + intent} }
func deletePhone(ph messages.Phone) store.Change { return store.Change{Key: phonePrefix + string(ph)} }

// commit writes the staged changes with the applied journal sequence in one
// transaction, then publishes the completions it made durable.
func (s *Calls) commit() error {
	if err := s.d.Bucket.Commit(s.applied, s.staged...); err != nil {
		return err
	}
	s.staged = s.staged[:0]
	s.publish()
	return nil
}

// commitLogged commits where a failure cannot be answered to anyone: the
// changes stay staged and go with the next commit.
func (s *Calls) commitLogged() error {
	err := s.commit()
	if err != nil {
		s.d.Log.Error("calls state not stored; retrying with the next change", zap.Error(err))
	}
	return err
}
