package journal

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// t0 is a fixed instant for tests: 2026-02-03 12:00 in New York.
var t0 = time.Date(2026, 2, 3, 17, 0, 0, 0, time.UTC)

// testRecord is a plausible completion webhook with sequence seq.
func testRecord(seq uint64, at time.Time) Record {
	return Record{
		Seq:        seq,
		ReceivedAt: at,
		Source:     "bland-callback",
		RequestID:  fmt.Sprintf("req-%06d", seq),
		DedupeKey:  fmt.Sprintf("bland-callback:call-%d:completed", seq),
		Result:     ResultAccepted,
		Phone:      fmt.Sprintf("+1555555%04d", seq%10000),
		LeadID:     fmt.Sprintf("lead-%d", seq%97),
		CallID:     fmt.Sprintf("call-%d", seq),
		Headers:    map[string]string{"content-type": "application/json"},
		Body:       []byte(fmt.Sprintf(`{"call_id":"call-%d","status":"completed","to":"+1555555%04d","answered_by":"human","call_length":4.6}`, seq, seq%10000)),
	}
}

var lineShape = regexp.MustCompile(`^[0-9a-f]{8} \{[^\n]*\}\n$`)

func TestEncodeDecodeRoundTrip(t *testing.T) {
	nyc, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	full := testRecord(42, t0.Add(123456789*time.Nanosecond))
	full.Error = `phone_number: "abc" does not normalise`
	full.Headers = map[string]string{"x-b": "2", "x-a": "1", "user-agent": "Bland/1.0 \"quoted\" \\ back"}

	tests := []struct {
		name     string
		rec      Record
		bodyKey  string // the JSON key the body must be stored under, "" for none
		wantBody []byte // nil: same as rec.Body
	}{
		{name: "minimal", rec: Record{Seq: 1, ReceivedAt: t0, Source: "sms-reply", RequestID: "r1", Result: ResultAccepted}},
		{name: "all fields, compact JSON", rec: full, bodyKey: "body"},
		{name: "JSON array", rec: withBody(full, `[1,2,{"a":null}]`), bodyKey: "body"},
		{name: "JSON with spaces and tabs", rec: withBody(full, "{\"a\": 1,\t\"b\" : [ true ]}"), bodyKey: "body"},
		{name: "JSON null", rec: withBody(full, `null`), bodyKey: "body"},
		{name: "JSON number", rec: withBody(full, `42`), bodyKey: "body"},
		{name: "JSON string", rec: withBody(full, `"STOP"`), bodyKey: "body"},
		{name: "JSON with unicode", rec: withBody(full, `{"text":"héllo ✓ \u2028 日本"}`), bodyKey: "body"},
		{name: "pretty JSON keeps its newlines", rec: withBody(full, "{\n  \"a\": 1\n}\n"), bodyKey: "body_text"},
		{name: "JSON with leading space", rec: withBody(full, ` {"a":1}`), bodyKey: "body_text"},
		{name: "invalid JSON", rec: withBody(full, `{"a":`), bodyKey: "body_text"},
		{name: "form body", rec: withBody(full, "phone=%2B15555550123&text=STOP&x=\"y\"\\"), bodyKey: "body_text"},
		{name: "text with control bytes", rec: withBody(full, "a\x00b\x1fc\r\n\td\x7f"), bodyKey: "body_text"},
		{name: "binary", rec: withBody(full, "\xff\xfe\x00\x01PNG\n\x80"), bodyKey: "body_b64"},
		{name: "JSON with invalid UTF-8", rec: withBody(full, "{\"a\":\"\xff\"}"), bodyKey: "body_b64"},
		{name: "escapes in fields", rec: Record{
			Seq: 7, ReceivedAt: t0, Source: "call-back", RequestID: "r\"1\\\n\t\x01",
			DedupeKey: "k\"ey\\", Result: ResultValidationFailed, Error: "line1\nline2 ✓ \u2028",
		}},
		{name: "non-UTC time", rec: Record{Seq: 8, ReceivedAt: t0.In(nyc), Source: "s", RequestID: "r", Result: ResultBlocked}},
		{name: "max seq", rec: Record{Seq: 1<<64 - 1, ReceivedAt: t0, Source: "s", RequestID: "r", Result: ResultFailed}},
		{name: "zero time", rec: Record{Seq: 9, Source: "s", RequestID: "r", Result: ResultProcessed}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			line := encode(nil, &tt.rec)
			if !lineShape.Match(line) {
				t.Fatalf("line %q does not have the shape <crc> <json>\\n", line)
			}
			js := line[headLen : len(line)-1]
			var fields map[string]json.RawMessage
			if err := json.Unmarshal(js, &fields); err != nil {
				t.Fatalf("JSON %s does not parse: %v", js, err)
			}
			for _, k := range []string{"body", "body_text", "body_b64"} {
				if _, ok := fields[k]; ok != (k == tt.bodyKey) {
					t.Errorf("field %q present = %v, want body under %q", k, ok, tt.bodyKey)
				}
			}

			got, err := decodeLine(line)
			if err != nil {
				t.Fatalf("decodeLine: %v", err)
			}
			want := tt.rec
			want.ReceivedAt = want.ReceivedAt.UTC()
			if tt.wantBody != nil {
				want.Body = tt.wantBody
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("decodeLine(encode(r)) mismatch (-want +got):\n%s", diff)
			}
			if !got.ReceivedAt.Equal(tt.rec.ReceivedAt) || got.ReceivedAt.Location() != time.UTC {
				t.Errorf("ReceivedAt = %v, want %v in UTC", got.ReceivedAt, tt.rec.ReceivedAt)
			}

			h, err := readHead(js)
			if err != nil {
				t.Fatalf("readHead: %v", err)
			}
			if _, fast := parseHead(js); !fast {
				t.Errorf("parseHead did not take the fast path on %s", js)
			}
			if h.seq != want.Seq || !h.at.Equal(want.ReceivedAt) || h.dedupeKey() != want.DedupeKey || unescape(h.result) != want.Result {
				t.Errorf("readHead = {%d %v %q %q}, want {%d %v %q %q}", h.seq, h.at, h.dedupeKey(), h.result,
					want.Seq, want.ReceivedAt, want.DedupeKey, want.Result)
			}
		})
	}
}

func withBody(r Record, body string) Record {
	r.Body = []byte(body)
	return r
}

func TestEncodeReplacesInvalidUTF8InFields(t *testing.T) {
	bad := "a\xffb\xc3"
	r := Record{Seq: 1, ReceivedAt: t0, Source: bad, RequestID: "r", Result: ResultAccepted, Headers: map[string]string{bad: bad}}
	got, err := decodeLine(encode(nil, &r))
	if err != nil {
		t.Fatal(err)
	}
	var want string
	b, _ := json.Marshal(bad) // encoding/json's behaviour is the reference
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	if got.Source != want || got.Headers[want] != want {
		t.Errorf("Source = %q, headers = %q, want %q", got.Source, got.Headers, want)
	}
}

func TestEncodeAppendsAndIsDeterministic(t *testing.T) {
	a, b := testRecord(1, t0), testRecord(2, t0.Add(time.Second))
	b.Headers = map[string]string{"z": "1", "a": "2", "m": "3", "b": "4"}
	dst := encode([]byte("prefix|"), &a)
	dst = encode(dst, &b)
	rest, ok := bytes.CutPrefix(dst, []byte("prefix|"))
	if !ok {
		t.Fatalf("encode overwrote dst: %q", dst)
	}
	lines := bytes.SplitAfter(rest, []byte("\n"))
	if len(lines) != 3 || len(lines[2]) != 0 {
		t.Fatalf("got %d lines, want 2: %q", len(lines)-1, rest)
	}
	for i, want := range []Record{a, b} {
		got, err := decodeLine(lines[i])
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("line %d (-want +got):\n%s", i, diff)
		}
	}
	for range 10 {
		if again := encode(nil, &b); !bytes.Equal(again, lines[1]) {
			t.Fatalf("encoding is not deterministic:\n%s\n%s", again, lines[1])
		}
	}
}

func TestDecodeLineRejectsCorruption(t *testing.T) {
	r := testRecord(5, t0)
	good := encode(nil, &r)
	t.Run("every flipped byte", func(t *testing.T) {
		for i := range len(good) - 1 { // the newline itself is framing, not content
			bad := bytes.Clone(good)
			bad[i] ^= 0x01
			if _, err := decodeLine(bad); !errors.Is(err, ErrCorrupt) {
				t.Fatalf("flipping byte %d (%q): err = %v, want ErrCorrupt", i, good[i], err)
			}
		}
	})
	withCRC := func(js string) []byte {
		return fmt.Appendf(nil, "%08x %s\n", crc32.Checksum([]byte(js), castagnoli), js)
	}
	tests := []struct {
		name string
		line []byte
	}{
		{"empty", nil},
		{"newline only", []byte("\n")},
		{"no space", bytes.Replace(good, []byte(" "), []byte("_"), 1)},
		{"upper-case hex", []byte(strings.ToUpper(string(good[:8])) + string(good[8:]))},
		{"short crc", good[1:]},
		{"truncated JSON", good[:len(good)/2]},
		{"valid CRC, invalid JSON", withCRC(`{"seq":1,`)},
		{"valid CRC, wrong types", withCRC(`{"seq":"one"}`)},
		{"valid CRC, trailing data", withCRC(`{"seq":1} {}`)},
		{"valid CRC, bad base64", withCRC(`{"seq":1,"body_b64":"***"}`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, err := decodeLine(tt.line); !errors.Is(err, ErrCorrupt) {
				t.Errorf("decodeLine(%q) = %+v, %v; want ErrCorrupt", tt.line, got, err)
			}
		})
	}
}

func TestReadHeadFallsBackForOtherLayouts(t *testing.T) {
	js := []byte(`{"result":"blocked","dedupe_key":"a\"b\u00e9","received_at":"2026-02-03T12:00:00-05:00","seq":12,"source":"x"}`)
	if _, ok := parseHead(js); ok {
		t.Fatal("parseHead accepted a foreign field order")
	}
	h, err := readHead(js)
	if err != nil {
		t.Fatal(err)
	}
	if h.seq != 12 || !h.at.Equal(t0) || h.dedupeKey() != "a\"bé" || string(h.result) != "blocked" {
		t.Errorf("readHead = {%d %v %q %q}", h.seq, h.at, h.dedupeKey(), h.result)
	}
	if _, err := readHead([]byte(`{"seq":`)); !errors.Is(err, ErrCorrupt) {
		t.Errorf("readHead(truncated) err = %v, want ErrCorrupt", err)
	}
}

func TestParseTimeUTC(t *testing.T) {
	for _, s := range []string{
		"2026-02-03T17:00:00Z",
		"2026-02-03T17:00:00.1Z",
		"2026-02-03T17:00:00.123456789Z",
		"0001-01-01T00:00:00Z",
		"9999-12-31T23:59:59.999999999Z",
		"2026-02-03T12:00:00-05:00",       // slow path
		"2026-02-03T17:00:00.1234567891Z", // too many digits: slow path rejects
		"2026-13-03T17:00:00Z",
		"2026-02-03T17:00:00",
		"garbage",
	} {
		want, werr := time.Parse(time.RFC3339Nano, s)
		got, ok := parseTimeUTC([]byte(s))
		if ok != (werr == nil) || (ok && !got.Equal(want)) {
			t.Errorf("parseTimeUTC(%q) = %v, %v; time.Parse = %v, %v", s, got, ok, want, werr)
		}
	}
}

func FuzzEncodeDecode(f *testing.F) {
	f.Add(uint64(1), int64(0), "bland-callback", "key", []byte(`{"a":1}`))
	f.Add(uint64(2), int64(1e18), "s\x00\"", "", []byte("{\n}"))
	f.Add(uint64(1<<63), int64(-1e9), "\xff", "\\u0000", []byte("\xff\x00"))
	f.Fuzz(func(t *testing.T, seq uint64, nanos int64, source, key string, body []byte) {
		r := Record{Seq: seq, ReceivedAt: time.Unix(0, nanos).UTC(), Source: source, RequestID: "r", DedupeKey: key, Result: "accepted", Body: body}
		line := encode(nil, &r)
		if bytes.IndexByte(line, '\n') != len(line)-1 {
			t.Fatalf("line has an inner newline: %q", line)
		}
		got, err := decodeLine(line)
		if err != nil {
			t.Fatalf("decodeLine: %v", err)
		}
		if !bytes.Equal(got.Body, r.Body) {
			t.Errorf("body %q, want %q", got.Body, r.Body)
		}
		if got.Seq != seq || !got.ReceivedAt.Equal(r.ReceivedAt) {
			t.Errorf("seq/time %d %v, want %d %v", got.Seq, got.ReceivedAt, seq, r.ReceivedAt)
		}
		h, err := readHead(line[headLen : len(line)-1])
		if err != nil || h.seq != seq || h.dedupeKey() != got.DedupeKey {
			t.Errorf("readHead = %d %q %v, want %d %q", h.seq, h.dedupeKey(), err, seq, got.DedupeKey)
		}
	})
}

// benchBody is a ~2 KB compact JSON completion webhook.
func benchBody() []byte {
	body := map[string]any{
		"call_id": "3f1c2a9e-0b7d-4c61-9e2f-5a1b7c9d0e11", "status": "completed", "to": "+15555550123",
		"from": "+15555550188", "answered_by": "human", "call_length": 4.6, "corrected_duration": "276",
		"summary":                 "Caller confirmed identity, family plan for 3, zip 33401; transferred to a licensed agent.",
		"concatenated_transcript": strings.Repeat("assistant: Hi, is this Jane? user: Yes, speaking. ", 28),
		"pathway_tags":            []string{"Identity Confirmation", "Plan Type", "Transferred to Agent"},
		"warm_transfer_call":      map[string]string{"state": "MERGED"},
		"variables":               map[string]any{"first_name": "Jane", "lead_id": "900123", "list_id": "4242", "member_count": 3},
	}
	b, err := json.Marshal(body)
	if err != nil {
		panic(err)
	}
	return b
}

func BenchmarkEncode(b *testing.B) {
	r := testRecord(123456, t0)
	r.Body = benchBody()
	buf := encode(nil, &r)
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		buf = encode(buf[:0], &r)
	}
}

func BenchmarkDecodeLine(b *testing.B) {
	r := testRecord(123456, t0)
	r.Body = benchBody()
	line := encode(nil, &r)
	b.SetBytes(int64(len(line)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decodeLine(line); err != nil {
			b.Fatal(err)
		}
	}
}

var validJSONSeeds = []string{
	``, ` `, `{}`, `[]`, ` { } `, `[ ]`, `{"a":1}`, `{"a" : [1, 2.5, -0, 1e10, 1E+2, -1.5e-3]}`, `[{},[],""]`,
	`null`, `true`, `false`, `nul`, `truex`, `"a"`, `"\u00e9\n\"\\\/\b\f\r\t"`, `"\u00g0"`, `"\x"`, "\"a\x01\"",
	"\"\x7f\xff\"", `"unterminated`, `01`, `-`, `-0`, `1.`, `.5`, `1e`, `1e+`, `+1`, `0x10`, `1 2`, `[1,]`, `[,1]`,
	`{"a":1,}`, `{,}`, `{"a"}`, `{"a":}`, `{1:2}`, `{"a":1 "b":2}`, `[1}`, `{"a":1]`, `[[[]]]`, `[[[]]`, `]`, `}`,
	`"\ud800"`, "[1]\n", "\t[1]", `[1] x`, `{"a":{"b":{"c":[null,true,false,"x"]}}}`, `[-01]`, `[1.0e-00]`,
	strings.Repeat("[", maxJSONDepth) + strings.Repeat("]", maxJSONDepth),
	strings.Repeat("[", maxJSONDepth+1) + strings.Repeat("]", maxJSONDepth+1),
	strings.Repeat(`{"a":`, maxJSONDepth) + "1" + strings.Repeat("}", maxJSONDepth),
	strings.Repeat(`{"a":`, maxJSONDepth+1) + "1" + strings.Repeat("}", maxJSONDepth+1),
}

func TestValidJSONAgreesWithEncodingJSON(t *testing.T) {
	for _, s := range validJSONSeeds {
		if got, want := validJSON([]byte(s)), json.Valid([]byte(s)); got != want {
			t.Errorf("validJSON(%.60q) = %v, json.Valid = %v", s, got, want)
		}
	}
	if b := benchBody(); !validJSON(b) {
		t.Errorf("validJSON rejects the benchmark body")
	}
}

func FuzzValidJSON(f *testing.F) {
	for _, s := range validJSONSeeds {
		f.Add([]byte(s))
	}
	f.Add(benchBody())
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := validJSON(b), json.Valid(b); got != want {
			t.Fatalf("validJSON(%q) = %v, json.Valid = %v", b, got, want)
		}
	})
}
