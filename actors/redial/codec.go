package redial

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"time"

	"orchestrator/actors/internal/wire"
	"orchestrator/messages"
)

// How records are stored. Index entries: a version byte, then the fields in
// order, fixed-width integers big-endian, strings length-prefixed;
// decoding them is what a restart does per record. Full records: a version
// byte, then length-prefixed strings and varints, a third of their JSON;
// those written as JSON by earlier versions (they start with '{') are
// still read.
const (
	indexVersion  = 1
	recordVersion = 1
)

var (
	errIndex  = errors.New("redial: unreadable index entry")
	errRecord = errors.New("redial: unreadable record")
)

func (s *slim) encode() []byte {
	b := make([]byte, 0, 64+len(s.last)+len(s.reason))
	b = append(b, indexVersion, s.status)
	b = binary.BigEndian.AppendUint64(b, uint64(s.nextDue))
	b = binary.BigEndian.AppendUint64(b, uint64(s.created))
	b = binary.BigEndian.AppendUint64(b, uint64(s.updated))
	b = binary.BigEndian.AppendUint32(b, uint32(s.attempts))
	for _, d := range s.days {
		b = binary.BigEndian.AppendUint32(b, uint32(d.day))
		b = binary.BigEndian.AppendUint32(b, uint32(d.n))
	}
	b = binary.AppendUvarint(b, uint64(len(s.last)))
	b = append(b, s.last...)
	b = binary.AppendUvarint(b, uint64(len(s.reason)))
	return append(b, s.reason...)
}

// decode reads an index entry for phone; strings go through in.
func (s *slim) decode(phone messages.Phone, b []byte, in interner) error {
	const fixed = 2 + 3*8 + 4 + 2*8
	if len(b) < fixed || b[0] != indexVersion {
		return errIndex
	}
	s.phone, s.status = phone, b[1]
	s.nextDue = int64(binary.BigEndian.Uint64(b[2:]))
	s.created = int64(binary.BigEndian.Uint64(b[10:]))
	s.updated = int64(binary.BigEndian.Uint64(b[18:]))
	s.attempts = int32(binary.BigEndian.Uint32(b[26:]))
	for i := range s.days {
		s.days[i] = dayCount{day: int32(binary.BigEndian.Uint32(b[30+8*i:])), n: int32(binary.BigEndian.Uint32(b[34+8*i:]))}
	}
	rest := b[fixed:]
	last, rest, ok := lenPrefixed(rest)
	if !ok {
		return errIndex
	}
	reason, _, ok := lenPrefixed(rest)
	if !ok {
		return errIndex
	}
	s.last, s.reason = messages.Outcome(in.getBytes(last)), in.getBytes(reason)
	return nil
}

func lenPrefixed(b []byte) (s, rest []byte, ok bool) {
	n, k := binary.Uvarint(b)
	if k <= 0 || uint64(len(b)-k) < n {
		return nil, nil, false
	}
	return b[k : k+int(n)], b[k+int(n):], true
}

// encodeRecord writes a full record.
func encodeRecord(rec *messages.RedialRecord) []byte {
	l := &rec.Lead
	b := make([]byte, 0, 256)
	b = append(b, recordVersion)
	b = appendStrings(b, string(rec.Phone), rec.Status, rec.Reason, string(rec.LastOutcome),
		l.LeadID, l.ListID, string(l.Phone), l.FirstName, l.LastName, l.State, l.Status, l.Email, l.Address1, l.City,
		l.PostalCode, l.DateOfBirth, l.Age)
	b = binary.AppendUvarint(b, uint64(len(l.Extra)))
	for k, v := range l.Extra {
		b = appendStrings(b, k, v)
	}
	for _, t := range [...]time.Time{rec.CreatedAt, rec.NextDue, rec.UpdatedAt} {
		b = binary.AppendVarint(b, unixNano(t))
	}
	b = binary.AppendUvarint(b, uint64(rec.Attempts))
	b = binary.AppendUvarint(b, uint64(len(rec.AttemptsByDay)))
	for day, n := range rec.AttemptsByDay {
		b = appendStrings(b, day)
		b = binary.AppendVarint(b, int64(n))
	}
	b = binary.AppendUvarint(b, uint64(len(rec.Outcomes)))
	for _, o := range rec.Outcomes {
		b = appendStrings(b, string(o))
	}
	b = binary.AppendUvarint(b, uint64(len(rec.Calls)))
	return appendStrings(b, rec.Calls...)
}

func appendStrings(b []byte, ss ...string) []byte {
	for _, s := range ss {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	return b
}

// decodeRecord reads a full record, JSON or compact.
func decodeRecord(b []byte) (*messages.RedialRecord, error) {
	rec := &messages.RedialRecord{}
	if len(b) > 0 && b[0] == '{' {
		return rec, json.Unmarshal(b, rec)
	}
	d := reader{Reader: wire.NewReader(b, errRecord), s: string(b)} // one allocation for every string of the record
	if d.Byte() != recordVersion {
		return nil, errRecord
	}
	l := &rec.Lead
	rec.Phone, rec.Status, rec.Reason = messages.Phone(d.str()), d.str(), d.str()
	rec.LastOutcome = messages.Outcome(d.str())
	l.LeadID, l.ListID, l.Phone = d.str(), d.str(), messages.Phone(d.str())
	l.FirstName, l.LastName, l.State, l.Status, l.Email = d.str(), d.str(), d.str(), d.str(), d.str()
	l.Address1, l.City, l.PostalCode, l.DateOfBirth, l.Age = d.str(), d.str(), d.str(), d.str(), d.str()
	if n := d.Count(); n > 0 {
		l.Extra = make(map[string]string, n)
		for range n {
			k := d.str()
			l.Extra[k] = d.str()
		}
	}
	rec.CreatedAt, rec.NextDue, rec.UpdatedAt = unixTime(d.Varint()), unixTime(d.Varint()), unixTime(d.Varint())
	rec.Attempts = int(d.Uvarint())
	n := d.Count()
	rec.AttemptsByDay = make(map[string]int, n)
	for range n {
		day := d.str()
		rec.AttemptsByDay[day] = int(d.Varint())
	}
	if n := d.Count(); n > 0 {
		rec.Outcomes = make([]messages.Outcome, n)
		for i := range rec.Outcomes {
			rec.Outcomes[i] = messages.Outcome(d.str())
		}
	}
	if n := d.Count(); n > 0 {
		rec.Calls = make([]string, n)
		for i := range rec.Calls {
			rec.Calls[i] = d.str()
		}
	}
	if d.Err != nil {
		return nil, d.Err
	}
	return rec, nil
}

// reader reads what encodeRecord wrote. Its strings are cut from s, a copy
// of the whole value, when given.
type reader struct {
	wire.Reader
	s string
}

func (d *reader) str() string {
	n := d.Count()
	if d.s != "" {
		at := len(d.s) - d.Left()
		d.Next(n)
		return d.s[at : at+n]
	}
	return string(d.Next(n))
}
