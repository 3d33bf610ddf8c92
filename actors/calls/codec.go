package calls

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"time"

	"orchestrator/actors/internal/wire"
	"orchestrator/messages"
)

// How calls and phones are stored: a version byte, then length-prefixed
// strings and varints. The prune, the phone history and an upgrade decode
// a week of them, so this is kept far cheaper (and smaller on disk) than
// JSON. Values written by earlier
// versions are JSON (they start with '{') and are still read.
const codecVersion = 1

var errCodec = errors.New("calls: unreadable stored value")

func (cl *call) encode() []byte {
	b := make([]byte, 0, 96+len(cl.CallID)+len(cl.Error))
	b = append(b, codecVersion)
	for _, s := range [...]string{cl.Intent, cl.CallID, string(cl.Kind), cl.Lead.LeadID, cl.Lead.ListID, string(cl.Phone),
		cl.From, cl.State, string(cl.Outcome), cl.Error} {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	for _, t := range [...]stamp{cl.RequestedAt, cl.DialledAt, cl.EndedAt} {
		b = binary.AppendVarint(b, int64(t))
	}
	b = binary.AppendUvarint(b, cl.CompletedSeq)
	b = binary.AppendUvarint(b, cl.PublishedSeq)
	return binary.AppendUvarint(b, cl.LeadSeq)
}

// decodeCall reads a stored call; the strings every call repeats are shared
// through in.
func decodeCall(b []byte, in interned) (*call, error) {
	cl := &call{}
	if len(b) > 0 && b[0] == '{' {
		if err := json.Unmarshal(b, cl); err != nil {
			return nil, err
		}
		in.call(cl)
		return cl, nil
	}
	d := decoder{wire.NewReader(b, errCodec)}
	if d.Byte() != codecVersion {
		return nil, errCodec
	}
	cl.Intent, cl.CallID, cl.Kind = d.str(nil), d.str(nil), messages.DialKind(d.str(in))
	cl.Lead.LeadID, cl.Lead.ListID, cl.Phone = d.str(nil), d.str(in), messages.Phone(d.str(nil))
	cl.From, cl.State, cl.Outcome, cl.Error = d.str(in), d.str(in), messages.Outcome(d.str(in)), d.str(nil)
	cl.RequestedAt, cl.DialledAt, cl.EndedAt = stamp(d.Varint()), stamp(d.Varint()), stamp(d.Varint())
	cl.CompletedSeq, cl.PublishedSeq, cl.LeadSeq = d.Uvarint(), d.Uvarint(), d.Uvarint()
	return cl, d.Err
}

// storedPhone is the phone of a stored call, read without decoding the rest;
// ok is false when it cannot be (JSON of an earlier version: decode it).
func storedPhone(b []byte) (phone []byte, ok bool) {
	if len(b) == 0 || b[0] != codecVersion {
		return nil, false
	}
	r := wire.NewReader(b[1:], errCodec)
	for range 5 { // intent, call id, kind, lead id, list id
		r.Next(r.Count())
	}
	phone = r.Next(r.Count())
	return phone, r.Err == nil
}

func (p *phone) encode() []byte {
	b := make([]byte, 0, 32+len(p.InFlight))
	b = append(b, codecVersion)
	b = binary.AppendUvarint(b, uint64(len(p.InFlight)))
	b = append(b, p.InFlight...)
	b = binary.AppendVarint(b, int64(p.HoldUntil))
	for _, a := range p.Attempts {
		b = binary.AppendUvarint(b, uint64(a.day))
		b = binary.AppendVarint(b, int64(a.n))
	}
	return b
}

func decodePhone(b []byte) (*phone, error) {
	p := &phone{}
	if len(b) > 0 && b[0] == '{' {
		return p, json.Unmarshal(b, p)
	}
	d := decoder{wire.NewReader(b, errCodec)}
	if d.Byte() != codecVersion {
		return nil, errCodec
	}
	p.InFlight, p.HoldUntil = d.str(nil), stamp(d.Varint())
	for i := range p.Attempts {
		p.Attempts[i].day, p.Attempts[i].n = int32(d.Uvarint()), int32(d.Varint())
	}
	return p, d.Err
}

// decoder reads what encode wrote.
type decoder struct{ wire.Reader }

// str reads a string, shared through in when given.
func (d *decoder) str(in interned) string {
	raw := d.Next(d.Count())
	if len(raw) == 0 {
		return ""
	}
	if in != nil {
		if v, ok := in[string(raw)]; ok {
			return v
		}
		return in.get(string(raw))
	}
	return string(raw)
}

func (s stamp) MarshalJSON() ([]byte, error) { return json.Marshal(s.Time()) }

func (s *stamp) UnmarshalJSON(b []byte) error {
	var t time.Time
	if err := json.Unmarshal(b, &t); err != nil {
		return err
	}
	*s = stampOf(t)
	return nil
}

func (a dayAttempts) MarshalJSON() ([]byte, error) { return json.Marshal(a.asMap()) }

func (a *dayAttempts) UnmarshalJSON(b []byte) error {
	var m map[string]int
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	var p phone
	for day, n := range m {
		p.add(wire.DayNum(day), int32(n))
	}
	*a = p.Attempts
	return nil
}
