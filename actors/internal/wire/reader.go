// Package wire reads the compact binary records the calls, redial and crm actors
// store: bytes, varints and length-prefixed fields.
package wire

import "encoding/binary"

// Reader reads a record; the first short or corrupt read sets Err (to the
// error given to NewReader) and every later read returns zeros.
type Reader struct {
	b   []byte
	bad error
	Err error
}

// NewReader reads b, failing with bad.
func NewReader(b []byte, bad error) Reader { return Reader{b: b, bad: bad} }

func (r *Reader) fail() { r.Err, r.b = r.bad, nil }

// Left is how many bytes are not read yet.
func (r *Reader) Left() int { return len(r.b) }

// Byte reads one byte.
func (r *Reader) Byte() byte {
	if len(r.b) == 0 {
		r.fail()
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

// Uvarint reads an unsigned varint.
func (r *Reader) Uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

// Varint reads a signed varint.
func (r *Reader) Varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

// Count reads a length, bounded by what is left (each item takes a byte at
// least), so a corrupt one cannot ask for a huge allocation.
func (r *Reader) Count() int {
	n := r.Uvarint()
	if n > uint64(len(r.b)) {
		r.fail()
		return 0
	}
	return int(n)
}

// Next returns the next n bytes (n from Count, so never more than are left).
func (r *Reader) Next(n int) []byte {
	p := r.b[:n]
	r.b = r.b[n:]
	return p
}
