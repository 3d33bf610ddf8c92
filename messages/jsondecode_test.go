package messages

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// FuzzJSONDecoderMatchesEncodingJSON holds the fast decoder to
// encoding/json's reading: the same value for every body it accepts, and
// no body refused that encoding/json accepts (that one would only be slower:
// decodeObject falls back, but it would mean the two disagree).
func FuzzJSONDecoderMatchesEncodingJSON(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.json")
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{
		``, ` `, `{}`, `[]`, `{"a":1}{}`, `{"a":1} x`, `{"a":1,}`, `{"a" 1}`, `{a:1}`, `[1,]`, `[1 2]`,
		`{"a":-0}`, `{"a":01}`, `{"a":-}`, `{"a":1.}`, `{"a":1.5e}`, `{"a":1e+9}`, `{"a":-1.25E-3}`,
		`{"a":tru}`, `{"a":nul}`, `{"a":false}`, `{"a":"\ud83d\ude00"}`, `{"a":"\ud83d"}`, `{"a":"\ud83dx"}`,
		`{"a":"\ud83d\u0041"}`, `{"a":"\ude00\ud83d"}`, `{"a":"\u00e9\n\t\"\\\/\b\f\r"}`, `{"a":"\x"}`,
		`{"a":"\u12G4"}`, "{\"a\":\"\x01\"}", "{\"a\":\"\xff\xfe\"}", "{\"a\":\"caf\xc3\xa9\"}", "{\"a\":\"\xc3\"}",
		`{"a":1,"a":2}`, `{"a":{"b":[1,{"c":null}]}}`, "\t{\r\n\"a\" :\n[ ] }\n", `"just a string"`, `12`,
		`{"a":"unterminated`, `{"a":[1,2`, `{"a":{"b":1}`, `{"a":"\u"}`, `{"a":"\ud83d\u"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		d := jsonDecoder{b: body}
		got, gotErr := d.document()
		want, wantErr := decodeStd(body)
		switch {
		case gotErr == nil && wantErr != nil:
			t.Fatalf("fast accepts %q, encoding/json refuses it: %v", body, wantErr)
		case gotErr != nil && wantErr == nil:
			t.Fatalf("fast refuses %q (%v), encoding/json accepts it", body, gotErr)
		case gotErr == nil && !reflect.DeepEqual(got, want):
			t.Fatalf("%q: fast %#v, encoding/json %#v", body, got, want)
		}
		// Skipping what is not kept refuses and accepts the same bodies.
		keep := func(k []byte) bool { return string(k) == "a" || string(k) == "call_id" }
		ds := jsonDecoder{b: body, keep: keep}
		kept, keptErr := ds.document()
		if (keptErr == nil) != (wantErr == nil) {
			t.Fatalf("%q: keeping some keys err %v, encoding/json err %v", body, keptErr, wantErr)
		}
		if obj, ok := want.(map[string]any); ok && keptErr == nil {
			for k, v := range obj {
				if keep([]byte(k)) && !reflect.DeepEqual(kept.(map[string]any)[k], v) {
					t.Fatalf("%q: kept %q = %#v, encoding/json %#v", body, k, kept.(map[string]any)[k], v)
				}
			}
		}
	})
}

// plainRun agrees with a byte-at-a-time scan, wherever the stopping byte
// sits in a word and whatever the bytes around it (high bytes included).
func TestPlainRunFindsTheFirstStoppingByte(t *testing.T) {
	naive := func(b []byte, i int) int {
		for ; i < len(b); i++ {
			if c := b[i]; c == '"' || c == '\\' || c < 0x20 {
				return i
			}
		}
		return i
	}
	fillers := []byte{'a', ' ', 0x7f, 0x80, 0xc3, 0xff, '!', '#', '[', ']', 0x21, 0x5b, 0x5d}
	stops := []byte{'"', '\\', 0x00, 0x1f, '\n', '\t'}
	for _, fill := range fillers {
		for _, stop := range stops {
			for n := 0; n < 20; n++ {
				for at := 0; at <= n; at++ {
					b := bytes.Repeat([]byte{fill}, n)
					if at < n {
						b[at] = stop
					}
					for from := 0; from <= min(n, 3); from++ {
						if got, want := plainRun(b, from), naive(b, from); got != want {
							t.Fatalf("fill %#x stop %#x len %d at %d from %d: %d, want %d", fill, stop, n, at, from, got, want)
						}
					}
				}
			}
		}
	}
}
