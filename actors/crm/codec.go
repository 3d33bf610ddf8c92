package crm

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"time"

	"orchestrator/actors/internal/wire"
	"orchestrator/messages"
)

// How outbox records are stored: a version byte, then varints and
// length-prefixed strings. Every completed call writes one, carrying its
// transcript, and delivery may read it back, so this is kept far cheaper
// than JSON. Records written by earlier versions are JSON (an item starts
// with '{', a delivery time with a digit) and are still read.
//
// An item is its key and delivery state first, so that a start reads only
// those, then the rest of its update.
const codecVersion = 1

var errCodec = errors.New("crm: unreadable stored record")

func encodeItem(it messages.CRMOutboxItem) []byte {
	u := &it.Update
	n := 64 + len(u.Key) + len(it.LastError) + len(u.LeadID) + len(u.ListID) + len(u.Phone) + len(u.Status) +
		len(u.Summary) + len(u.Transcript)
	for k, v := range u.Fields {
		n += 4 + len(k) + len(v)
	}
	b := make([]byte, 0, n)
	b = append(b, codecVersion)
	b = appendStr(b, u.Key)
	b = appendTime(b, it.CreatedAt)
	b = appendTime(b, it.NextTry)
	b = binary.AppendVarint(b, int64(it.Tries))
	b = appendStr(b, it.LastError)
	parked := byte(0)
	if it.Parked {
		parked = 1
	}
	b = append(b, parked)
	for _, s := range [...]string{u.LeadID, u.ListID, string(u.Phone), u.Status, u.Summary, u.Transcript} {
		b = appendStr(b, s)
	}
	b = binary.AppendUvarint(b, u.Seq)
	b = binary.AppendUvarint(b, uint64(len(u.Fields)))
	for k, v := range u.Fields {
		b = appendStr(appendStr(b, k), v)
	}
	return b
}

// decodeItem reads a stored item. With keyOnly (what load keeps in memory)
// its update is left with only its Key and nothing refers to raw, which may
// be bbolt's memory; otherwise every string of the item shares one copy of
// raw, one allocation instead of one per field (so none of them is kept for
// long: it would hold the whole record).
func decodeItem(raw []byte, keyOnly bool) (messages.CRMOutboxItem, error) {
	var it messages.CRMOutboxItem
	if len(raw) > 0 && raw[0] == '{' {
		if err := json.Unmarshal(raw, &it); err != nil {
			return messages.CRMOutboxItem{}, err
		}
		if keyOnly {
			it.Update = messages.CRMUpdate{Key: it.Update.Key}
		}
		return it, nil
	}
	d := decoder{Reader: wire.NewReader(raw, errCodec), raw: raw}
	if !keyOnly {
		d.rec = string(raw)
	}
	if d.Byte() != codecVersion {
		return messages.CRMOutboxItem{}, errCodec
	}
	u := &it.Update
	u.Key, it.CreatedAt, it.NextTry, it.Tries, it.LastError = d.str(), d.time(), d.time(), int(d.Varint()), d.str()
	switch d.Byte() {
	case 0:
	case 1:
		it.Parked = true
	default:
		return messages.CRMOutboxItem{}, errCodec
	}
	if keyOnly {
		return it, d.Err
	}
	u.LeadID, u.ListID, u.Phone, u.Status = d.str(), d.str(), messages.Phone(d.str()), d.str()
	u.Summary, u.Transcript, u.Seq = d.str(), d.str(), d.Uvarint()
	if n := d.Count(); n > 0 { // Count is bounded by the bytes left
		u.Fields = make(map[string]string, n)
		for range n {
			k := d.str()
			u.Fields[k] = d.str()
		}
	}
	if d.Err == nil && d.Left() != 0 {
		return messages.CRMOutboxItem{}, errCodec
	}
	return it, d.Err
}

// encodeSent is a delivery time as stored under sentPrefix.
func encodeSent(at time.Time) []byte {
	return appendTime(append(make([]byte, 0, 16), codecVersion), at)
}

// decodeSent reads a delivery time: ours, or RFC 3339 text from earlier versions.
func decodeSent(raw []byte) (time.Time, error) {
	if len(raw) > 0 && raw[0] >= '0' && raw[0] <= '9' {
		var at time.Time
		return at, at.UnmarshalText(raw)
	}
	d := decoder{Reader: wire.NewReader(raw, errCodec), raw: raw}
	if d.Byte() != codecVersion {
		return time.Time{}, errCodec
	}
	at := d.time()
	if d.Err == nil && d.Left() != 0 {
		return time.Time{}, errCodec
	}
	return at, d.Err
}

func appendStr(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

// zeroUnix is the zero time in Unix seconds: times are stored as seconds
// after it (the zero time is then a single 0 byte) and nanoseconds, in UTC.
var zeroUnix = time.Time{}.Unix()

func appendTime(b []byte, t time.Time) []byte {
	return binary.AppendUvarint(binary.AppendVarint(b, t.Unix()-zeroUnix), uint64(t.Nanosecond()))
}

// decoder reads what encodeItem and encodeSent wrote.
type decoder struct {
	wire.Reader
	raw []byte
	rec string // raw as one string the fields are cut from; "": copy each
}

func (d *decoder) str() string {
	n := d.Count()
	at := len(d.raw) - d.Left()
	p := d.Next(n)
	switch {
	case n == 0:
		return ""
	case d.rec != "":
		return d.rec[at : at+n]
	}
	return string(p)
}

func (d *decoder) time() time.Time {
	sec, nsec := d.Varint(), d.Uvarint()
	if nsec >= uint64(time.Second) {
		d.Err = errCodec
		return time.Time{}
	}
	return time.Unix(sec+zeroUnix, int64(nsec)).UTC()
}
