package calls

import (
	"encoding/binary"
	"fmt"
	"slices"
	"strings"

	"go.uber.org/zap"

	"orchestrator/actors/store"
	"orchestrator/messages"
)

// Keys in the "calls" bucket (index.go reads them).
const (
	callPrefix    = "call/"    // call/<intent>: a call (codec.go)
	phonePrefix   = "phone/"   // phone/<phone>: what the gate knows of a phone (codec.go)
	callIDPrefix  = "cid/"     // cid/<call id> → intent, once the call ended
	pubPrefix     = "pub/"     // pub/<published seq><completed seq>, 8 bytes each, big-endian → intent (resend.go)
	dialledPrefix = "dialled/" // the lead dial log (dials.go)
	nextIntentKey = "meta/next_intent"
	aheadKey      = "meta/ahead"  // uvarints: leads dialled ahead of the applied sequence
	layoutKey     = "meta/layout" // layout (migrate.go)
)

// load reads what the gate needs: the phones that hold a call or a hold,
// their calls, the leads dialled within calls.duplicate_window and the
// intake's leads dialled ahead. Ended calls stay in the state file. A call
// that was an intent when the last run ended may or may not have been
// placed: it becomes unknown, still holding its phone until
// calls.pending_timeout, and is never redialled.
func (s *Calls) load() error {
	s.calls, s.byCallID, s.phones = map[string]*call{}, map[string]string{}, map[messages.Phone]*phone{}
	s.holds, s.leadDialled = map[messages.Phone]hold{}, map[string]stamp{}
	applied, err := s.d.Bucket.Applied()
	if err != nil {
		return err
	}
	s.applied, s.intake.pos, s.intake.dialled = applied, applied, map[uint64]bool{}
	if err := s.migrate(); err != nil {
		return err
	}
	if err := s.loadMeta(); err != nil {
		return err
	}
	now := s.now()
	var inFlight []messages.Phone
	err = s.d.Bucket.LoadPrefix(phonePrefix, func(k, v []byte) error {
		p, err := decodePhone(v)
		if err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
		if !p.idle(now) {
			ph := messages.Phone(k[len(phonePrefix):])
			s.syncHold(ph, p, now)
			if p.InFlight != "" {
				inFlight = append(inFlight, ph)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, ph := range inFlight { // read after the scan: no read transaction inside another
		s.loadHeld(ph)
	}
	if err := s.loadLeadDials(now); err != nil {
		return err
	}
	return s.commit()
}

// loadMeta reads the intent counter and the leads dialled ahead of the
// applied sequence (intake.go).
func (s *Calls) loadMeta() error {
	v, err := s.d.Bucket.Get(nextIntentKey)
	if err != nil {
		return err
	}
	if len(v) == 8 {
		s.nextIntent = binary.BigEndian.Uint64(v)
	}
	s.savedIntent = s.nextIntent
	if v, err = s.d.Bucket.Get(aheadKey); err != nil {
		return err
	}
	s.ahead = decodeSeqs(v)
	s.savedAhead = slices.Clone(s.ahead)
	for _, seq := range s.ahead {
		if seq > s.applied {
			s.intake.dialled[seq] = true
		}
	}
	return nil
}

// loadHeld re-arms the pending timeout of the call holding ph.
func (s *Calls) loadHeld(ph messages.Phone) {
	intent := s.holding(ph)
	cl := s.callOf(intent)
	if cl == nil {
		s.d.Log.Error("a phone was held by a call the state file does not have; released",
			zap.String("intent", intent), zap.String("phone", ph.Masked()))
		s.letGo(ph, intent)
		return
	}
	if cl.State == stateIntent {
		cl.State = stateUnknown
		s.stageCall(cl)
		s.d.Log.Warn("a dial was cut short by the last stop; its phone stays held as unknown until calls.pending_timeout",
			zap.String("intent", cl.Intent), zap.String("phone", cl.Phone.Masked()))
	}
	s.expectBy(cl.Intent, cl.since().Add(s.d.Cfg.PendingTimeout))
}

// stageCall stages cl's record; cl stays in memory until it is committed.
// An ended call is indexed by its provider call id; one in flight is found
// through its phone (callByID), which spares a burst of dials an index key
// each in a random place of the file until their calls end.
func (s *Calls) stageCall(cl *call) {
	s.calls[cl.Intent] = cl
	s.staged = append(s.staged, store.Change{Key: callPrefix + cl.Intent, Value: cl.encode()})
	if cl.CallID != "" && !cl.active() {
		s.byCallID[cl.CallID] = cl.Intent
		s.staged = append(s.staged, store.Change{Key: callIDPrefix + cl.CallID, Value: []byte(cl.Intent)})
	}
}

// stagePublished indexes cl's completion by when it was published (resend.go).
func (s *Calls) stagePublished(cl *call) {
	s.staged = append(s.staged, store.Change{Key: pubKey(cl.PublishedSeq, cl.CompletedSeq), Value: []byte(cl.Intent)})
}

// stagePhone stages the record of ph (changed through phoneOf), and makes
// its hold follow it.
func (s *Calls) stagePhone(ph messages.Phone) {
	p := s.phones[ph]
	s.syncHold(ph, p, s.now())
	s.staged = append(s.staged, store.Change{Key: phonePrefix + string(ph), Value: p.encode()})
}

func deletePhone(ph messages.Phone) store.Change { return store.Change{Key: phonePrefix + string(ph)} }

// commit writes the staged changes with the applied journal sequence in one
// transaction, forgets what the gate no longer needs, then publishes the
// completions and dials the intents it made durable.
func (s *Calls) commit() error {
	ahead := slices.DeleteFunc(slices.Clone(s.ahead), func(seq uint64) bool { return seq <= s.applied })
	changes := append(s.staged, dialLogChange(s.unlogged, s.nextIntent)...)
	if err := s.d.Bucket.Commit(s.applied, append(changes, s.metaChanges(ahead)...)...); err != nil {
		return err
	}
	s.ahead, s.savedAhead, s.savedIntent = ahead, ahead, s.nextIntent
	clear(s.unlogged)
	s.unlogged = s.unlogged[:0]
	s.settle()
	clear(s.staged)
	s.staged = s.staged[:0]
	s.publish()
	s.dialStaged()
	return nil
}

// metaChanges stores the intent counter, so intents stay unique across
// restarts without reading every call, and the leads dialled ahead of the
// applied sequence (kept only until it passes them), when they changed.
func (s *Calls) metaChanges(ahead []uint64) []store.Change {
	var out []store.Change
	if s.nextIntent != s.savedIntent {
		out = append(out, store.Change{Key: nextIntentKey, Value: binary.BigEndian.AppendUint64(nil, s.nextIntent)})
	}
	if !slices.Equal(ahead, s.savedAhead) {
		out = append(out, store.Change{Key: aheadKey, Value: encodeSeqs(ahead)}) // nil when none: deleted
	}
	return out
}

// settle forgets, once committed, the calls that ended, the phone records
// changed and the call ids learnt: from now on they are read from the state
// file. Dials still waiting for the provider stay.
func (s *Calls) settle() {
	for _, ch := range s.staged {
		if intent, ok := strings.CutPrefix(ch.Key, callPrefix); ok {
			if cl := s.calls[intent]; cl != nil && cl.State != stateIntent {
				delete(s.calls, intent)
			}
		}
	}
	clear(s.phones)
	clear(s.byCallID)
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
