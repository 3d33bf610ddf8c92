package calls

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.uber.org/zap"

	"orchestrator/actors/store"
	"orchestrator/messages"
)

// Keys in the "calls" bucket. leadPrefix keys (each lead's last dial) are
// no longer written: the registry's calls say it; a start deletes them.
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
	s.phones, s.leadDialled = map[messages.Phone]*phone{}, map[string]stamp{}
	applied, err := s.d.Bucket.Applied()
	if err != nil {
		return err
	}
	s.applied, s.intake.pos, s.intake.dialled = applied, applied, map[uint64]bool{}
	err = s.d.Bucket.Load(func(k, v []byte) error {
		key := string(k)
		switch {
		case strings.HasPrefix(key, callPrefix):
			cl, err := decodeCall(v, s.strs)
			if err != nil {
				return fmt.Errorf("%s: %w", key, err)
			}
			s.calls[cl.Intent] = cl
			if cl.CallID != "" {
				s.byCallID[cl.CallID] = cl.Intent
			}
			if n, err := strconv.ParseUint(strings.TrimPrefix(cl.Intent, "i"), 10, 64); err == nil && n > s.nextIntent {
				s.nextIntent = n
			}
		case strings.HasPrefix(key, phonePrefix):
			p, err := decodePhone(v)
			if err != nil {
				return fmt.Errorf("%s: %w", key, err)
			}
			s.phones[messages.Phone(strings.TrimPrefix(key, phonePrefix))] = p
		case strings.HasPrefix(key, leadPrefix):
			s.staged = append(s.staged, store.Change{Key: key})
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
	now := s.now()
	for _, cl := range s.calls {
		if cl.State == stateIntent {
			cl.State = stateUnknown
			s.stageCall(cl)
			s.d.Log.Warn("a dial was cut short by the last stop; its phone stays held as unknown until calls.pending_timeout",
				zap.String("intent", cl.Intent), zap.String("phone", cl.Phone.Masked()))
		}
		if cl.LeadSeq > applied {
			s.intake.dialled[cl.LeadSeq] = true
		}
		if p := s.phones[cl.Phone]; p != nil && p.InFlight == cl.Intent {
			s.expectBy(cl.Intent, cl.since().Add(s.d.Cfg.PendingTimeout))
		}
		if cl.Kind != kindInbound && cl.Lead.LeadID != "" && now.Sub(cl.RequestedAt.Time()) < s.d.Cfg.DuplicateWindow &&
			cl.RequestedAt > s.leadDialled[cl.Lead.LeadID] {
			s.leadDialled[cl.Lead.LeadID] = cl.RequestedAt
		}
	}
	return s.commit()
}

// noteLeadDialled records a lead's dial for the duplicate rule, and every
// so many dials forgets those past calls.duplicate_window, so the map holds
// the window's leads rather than a day's.
func (s *Calls) noteLeadDialled(lead string, now time.Time) {
	s.leadDialled[lead] = stampOf(now)
	if s.leadSweep++; s.leadSweep < 4096 {
		return
	}
	s.leadSweep = 0
	for id, at := range s.leadDialled {
		if now.Sub(at.Time()) >= s.d.Cfg.DuplicateWindow {
			delete(s.leadDialled, id)
		}
	}
}

func (s *Calls) stageCall(cl *call) {
	s.staged = append(s.staged, store.Change{Key: callPrefix + cl.Intent, Value: cl.encode()})
}

func (s *Calls) stagePhone(ph messages.Phone) {
	p := s.phones[ph]
	if p == nil {
		s.staged = append(s.staged, deletePhone(ph))
		return
	}
	s.staged = append(s.staged, store.Change{Key: phonePrefix + string(ph), Value: p.encode()})
}

func deleteCall(intent string) store.Change      { return store.Change{Key: callPrefix + intent} }
func deletePhone(ph messages.Phone) store.Change { return store.Change{Key: phonePrefix + string(ph)} }

// commit writes the staged changes with the applied journal sequence in one
// transaction, then publishes the completions and dials the intents it
// made durable.
func (s *Calls) commit() error {
	if err := s.d.Bucket.Commit(s.applied, s.staged...); err != nil {
		return err
	}
	clear(s.staged)
	s.staged = s.staged[:0]
	s.publish()
	s.dialStaged()
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

// flushSoon commits once the messages already in the mailbox are handled:
// the changes they stage (dial intents, call ids, completions) share one
// transaction. Intents wait for it before the provider is asked.
func (s *Calls) flushSoon() {
	if s.flushQueued || s.send == nil {
		return
	}
	s.flushQueued = true
	s.send(s.self, flushTick{})
}

// flush is flushSoon's commit. Intents it could not store are refused
// (failed): nothing durable says they were dialled.
func (s *Calls) flush() {
	s.flushQueued = false
	if len(s.staged) == 0 && len(s.toDial) == 0 && len(s.outbox) == 0 {
		return
	}
	if err := s.commitLogged(); err != nil {
		s.abandonStaged("state not stored: " + err.Error())
	}
}
