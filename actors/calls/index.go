package calls

import (
	"encoding/binary"
	"errors"
	"fmt"

	"go.uber.org/zap"

	"orchestrator/messages"
)

// What is not in memory is read from the state file, inside the actor: a
// bbolt read is a lookup in the memory-mapped file, a microsecond or two.
// Memory is the newer copy: a call or a phone changed since the last commit
// stays there until that commit (settle).

// read is one stored value, nil when absent. A read that fails means the
// state file is gone or broken: the actor panics and its supervisor
// restarts it, as when the file cannot be loaded.
func (s *Calls) read(key string) []byte {
	v, err := s.d.Bucket.Get(key)
	if err != nil {
		panic(fmt.Errorf("calls: read %s: %w", key, err))
	}
	return v
}

// scanned panics on a scan of the state file that failed, as read does.
func scanned(err error) {
	if err != nil && !errors.Is(err, errStop) {
		panic(fmt.Errorf("calls: read state: %w", err))
	}
}

// errStop ends a scan early.
var errStop = errors.New("calls: scan stopped")

// callOf is the call with this intent: in memory, else stored; nil if none.
// A stored call read here is a copy: one that changes is staged (stageCall),
// which keeps it in memory until committed.
func (s *Calls) callOf(intent string) *call {
	if cl, ok := s.calls[intent]; ok || intent == "" {
		return cl
	}
	v := s.read(callPrefix + intent)
	if v == nil {
		return nil
	}
	cl, err := decodeCall(v, s.strs)
	if err != nil {
		s.d.Log.Error("stored call unreadable; taken as absent", zap.String("intent", intent), zap.Error(err))
		return nil
	}
	return cl
}

// callByID is the call the provider knows as callID, to or from ph: the one
// in flight on ph, or an ended one (indexed when it ended, stageCall); nil
// if none. A call has its id only once the provider placed it, so until it
// ends it holds its phone.
func (s *Calls) callByID(callID string, ph messages.Phone) *call {
	if callID == "" {
		return nil
	}
	if intent, ok := s.byCallID[callID]; ok {
		return s.callOf(intent)
	}
	if intent := s.holding(ph); intent != "" {
		if cl := s.callOf(intent); cl != nil && cl.CallID == callID {
			return cl
		}
	}
	v := s.read(callIDPrefix + callID)
	if v == nil {
		return nil
	}
	return s.callOf(string(v))
}

// anyCallByID is callByID when the phone is not known (the admin API): a
// call in flight is looked for among every phone held.
func (s *Calls) anyCallByID(callID string) *call {
	if cl := s.callByID(callID, ""); cl != nil {
		return cl
	}
	for ph := range s.holds {
		if cl := s.callOf(s.holding(ph)); cl != nil && cl.CallID == callID {
			return cl
		}
	}
	return nil
}

// phoneRecord is what the gate knows of ph, in memory or stored; nil if
// nothing. A stored one is a copy: change it through phoneOf.
func (s *Calls) phoneRecord(ph messages.Phone) *phone {
	if p := s.phones[ph]; p != nil {
		return p
	}
	v := s.read(phonePrefix + string(ph))
	if v == nil {
		return nil
	}
	p, err := decodePhone(v)
	if err != nil {
		s.d.Log.Error("stored phone unreadable; taken as new", zap.String("phone", ph.Masked()), zap.Error(err))
		return nil
	}
	return p
}

// knownPhone is phoneRecord kept in memory, so that it can be changed and
// staged; nil if nothing is known of ph.
func (s *Calls) knownPhone(ph messages.Phone) *phone {
	p := s.phoneRecord(ph)
	if p != nil {
		s.phones[ph] = p
	}
	return p
}

// phoneOf is knownPhone, a new phone if none.
func (s *Calls) phoneOf(ph messages.Phone) *phone {
	p := s.knownPhone(ph)
	if p == nil {
		p = &phone{}
		s.phones[ph] = p
	}
	return p
}

// beUint is n as 8 big-endian bytes: keys that sort by number.
func beUint(n uint64) string { return string(binary.BigEndian.AppendUint64(nil, n)) }

// pubKey indexes a completion by the sequence calls had applied when it was
// published, then the journal record that completed it.
func pubKey(published, completed uint64) string {
	return pubPrefix + beUint(published) + beUint(completed)
}

// pubSeqs reads a pubKey.
func pubSeqs(k []byte) (published, completed uint64) {
	k = k[len(pubPrefix):]
	if len(k) != 16 {
		return 0, 0
	}
	return binary.BigEndian.Uint64(k), binary.BigEndian.Uint64(k[8:])
}

// encodeSeqs and decodeSeqs store a short list of sequences; none is nil.
func encodeSeqs(seqs []uint64) []byte {
	var b []byte
	for _, seq := range seqs {
		b = binary.AppendUvarint(b, seq)
	}
	return b
}

func decodeSeqs(b []byte) []uint64 {
	var out []uint64
	for len(b) > 0 {
		seq, n := binary.Uvarint(b)
		if n <= 0 {
			break
		}
		out, b = append(out, seq), b[n:]
	}
	return out
}
