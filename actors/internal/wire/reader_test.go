package wire

import (
	"encoding/binary"
	"errors"
	"testing"
)

var errBad = errors.New("bad record")

func TestReaderReadsWhatWasWrittenAndFailsOnceShort(t *testing.T) {
	b := []byte{7}
	b = binary.AppendUvarint(b, 300)
	b = binary.AppendVarint(b, -5)
	b = binary.AppendUvarint(b, 3)
	b = append(b, "abc"...)
	r := NewReader(b, errBad)
	if c, u, v := r.Byte(), r.Uvarint(), r.Varint(); c != 7 || u != 300 || v != -5 {
		t.Fatalf("read %d %d %d", c, u, v)
	}
	if s := string(r.Next(r.Count())); s != "abc" || r.Err != nil || r.Left() != 0 {
		t.Fatalf("field %q, err %v, left %d", s, r.Err, r.Left())
	}
	if r.Byte() != 0 || !errors.Is(r.Err, errBad) {
		t.Fatalf("a read past the end: err %v", r.Err)
	}
	huge := NewReader(binary.AppendUvarint(nil, 1<<40), errBad)
	if n := huge.Count(); n != 0 || !errors.Is(huge.Err, errBad) {
		t.Fatalf("a length past the record = %d, err %v", n, huge.Err)
	}
}
