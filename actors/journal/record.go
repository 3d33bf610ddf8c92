package journal

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Record is one webhook as it was received.
type Record struct {
	Seq        uint64            `json:"seq"`
	ReceivedAt time.Time         `json:"received_at"` // UTC
	Source     string            `json:"source"`      // "awhealth-outbound", "bland-callback", "call-back", "sms-reply"
	RequestID  string            `json:"request_id"`
	DedupeKey  string            `json:"dedupe_key,omitempty"`
	Result     string            `json:"result"`          // "accepted" | "validation_failed" | "blocked" | "processed" | "failed" — the webhook's outcome as known when written
	Error      string            `json:"error,omitempty"` // validation problem text
	Phone      string            `json:"phone,omitempty"` // normalised E.164 when known
	LeadID     string            `json:"lead_id,omitempty"`
	CallID     string            `json:"call_id,omitempty"`
	Headers    map[string]string `json:"headers,omitempty"`
	Body       []byte            `json:"-"` // raw body as received
}

// Result values a Record carries.
const (
	ResultAccepted         = "accepted"
	ResultValidationFailed = "validation_failed"
	ResultBlocked          = "blocked"
	ResultProcessed        = "processed"
	ResultFailed           = "failed"
)

// ErrCorrupt reports a journal line whose checksum, framing or JSON does not verify.
var ErrCorrupt = errors.New("journal: corrupt record")

// castagnoli is the CRC-32C table; crc32 uses the SSE4.2/ARMv8 instructions for it.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

const (
	crcHexLen = 8             // "%08x" of the CRC
	headLen   = crcHexLen + 1 // CRC plus the separating space
	hexDigits = "0123456789abcdef"
)

// encode appends r as one journal line to dst and returns the extended slice:
//
//	<crc32c of the JSON, 8 lowercase hex> <JSON>\n
//
// The JSON carries the Record's fields in declaration order, then the body: as
// "body" (the raw bytes, unchanged) when the body is valid UTF-8 JSON that fits on
// one line, else as "body_text" when it is valid UTF-8, else as "body_b64". Every
// form decodes back to the exact bytes received. The hand-written encoder is several
// times cheaper than encoding/json and never fails.
func encode(dst []byte, r *Record) []byte {
	dst = append(dst, "00000000 "...)
	start := len(dst)
	dst = append(dst, `{"seq":`...)
	dst = strconv.AppendUint(dst, r.Seq, 10)
	dst = append(dst, `,"received_at":"`...)
	dst = r.ReceivedAt.UTC().AppendFormat(dst, time.RFC3339Nano)
	dst = append(dst, `","source":`...)
	dst = appendString(dst, r.Source)
	dst = append(dst, `,"request_id":`...)
	dst = appendString(dst, r.RequestID)
	dst = appendField(dst, `,"dedupe_key":`, r.DedupeKey)
	dst = append(dst, `,"result":`...)
	dst = appendString(dst, r.Result)
	dst = appendField(dst, `,"error":`, r.Error)
	dst = appendField(dst, `,"phone":`, r.Phone)
	dst = appendField(dst, `,"lead_id":`, r.LeadID)
	dst = appendField(dst, `,"call_id":`, r.CallID)
	dst = appendHeaders(dst, r.Headers)
	dst = appendBody(dst, r.Body)
	dst = append(dst, '}')

	sum := crc32.Checksum(dst[start:], castagnoli)
	crc := dst[start-headLen : start-1]
	for i := crcHexLen - 1; i >= 0; i-- {
		crc[i] = hexDigits[sum&0xf]
		sum >>= 4
	}
	return append(dst, '\n')
}

func appendField(dst []byte, name, v string) []byte {
	if v == "" {
		return dst
	}
	dst = append(dst, name...)
	return appendString(dst, v)
}

func appendHeaders(dst []byte, h map[string]string) []byte {
	if len(h) == 0 {
		return dst
	}
	// Sorted keys keep the encoding deterministic; the array avoids a heap
	// allocation for the usual handful of headers.
	var arr [16]string
	keys := arr[:0]
	for k := range h {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	dst = append(dst, `,"headers":{`...)
	for i, k := range keys {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendString(dst, k)
		dst = append(dst, ':')
		dst = appendString(dst, h[k])
	}
	return append(dst, '}')
}

func appendBody(dst []byte, body []byte) []byte {
	switch {
	case len(body) == 0:
		return dst
	case !utf8.Valid(body):
		dst = append(dst, `,"body_b64":"`...)
		dst = base64.StdEncoding.AppendEncode(dst, body)
		return append(dst, '"')
	case rawJSONBody(body):
		dst = append(dst, `,"body":`...)
		return append(dst, body...)
	default:
		dst = append(dst, `,"body_text":`...)
		return appendJSONString(dst, body)
	}
}

// rawJSONBody reports whether body can be embedded verbatim and still decode to the
// same bytes: valid JSON, no newline (one record per line) and no surrounding
// whitespace (which a decoder would drop). The cheap checks run first.
func rawJSONBody(body []byte) bool {
	if isJSONSpace(body[0]) || isJSONSpace(body[len(body)-1]) {
		return false
	}
	if bytes.IndexByte(body, '\n') >= 0 {
		return false
	}
	return validJSON(body)
}

func isJSONSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// appendString appends s as a JSON string, replacing invalid UTF-8 with U+FFFD as
// encoding/json does.
func appendString(dst []byte, s string) []byte {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return appendJSONString(dst, s)
}

// appendJSONString appends valid UTF-8 s as a quoted JSON string. Only '"', '\\'
// and control characters need escaping; everything else is copied in runs.
func appendJSONString[S ~string | ~[]byte](dst []byte, s S) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		dst = append(dst, s[start:i]...)
		switch c {
		case '"', '\\':
			dst = append(dst, '\\', c)
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		default:
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		start = i + 1
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// wireRecord is the JSON form of a line; Record.Body is tagged "-" and is shadowed
// here by the three body encodings.
type wireRecord struct {
	Record
	Body     json.RawMessage `json:"body"`
	BodyText string          `json:"body_text"`
	BodyB64  []byte          `json:"body_b64"`
}

// decodeLine verifies one journal line (with or without its trailing newline) and
// decodes it; a bad checksum, framing or JSON gives an error wrapping ErrCorrupt.
func decodeLine(line []byte) (Record, error) {
	js, err := verifyLine(line)
	if err != nil {
		return Record{}, err
	}
	return decodeJSON(js)
}

func decodeJSON(js []byte) (Record, error) {
	var w wireRecord
	if err := json.Unmarshal(js, &w); err != nil {
		return Record{}, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	r := w.Record
	switch {
	case len(w.Body) > 0:
		r.Body = []byte(w.Body)
	case w.BodyText != "":
		r.Body = []byte(w.BodyText)
	case len(w.BodyB64) > 0:
		r.Body = w.BodyB64
	}
	return r, nil
}

// verifyLine checks the framing and CRC of a line and returns its JSON part, which
// aliases line.
func verifyLine(line []byte) ([]byte, error) {
	if n := len(line); n > 0 && line[n-1] == '\n' {
		line = line[:n-1]
	}
	if len(line) < headLen+2 || line[crcHexLen] != ' ' {
		return nil, fmt.Errorf("%w: bad framing", ErrCorrupt)
	}
	var want uint32
	for _, c := range line[:crcHexLen] {
		switch {
		case c >= '0' && c <= '9':
			want = want<<4 | uint32(c-'0')
		case c >= 'a' && c <= 'f':
			want = want<<4 | uint32(c-'a'+10)
		default:
			return nil, fmt.Errorf("%w: bad checksum digits", ErrCorrupt)
		}
	}
	js := line[headLen:]
	if got := crc32.Checksum(js, castagnoli); got != want {
		return nil, fmt.Errorf("%w: checksum %08x, want %08x", ErrCorrupt, got, want)
	}
	return js, nil
}

// head is what recovery, counting and replay need from a line. readHead parses it
// straight from the fixed field order encode writes, without encoding/json or
// allocations, and falls back to encoding/json for any other layout.
type head struct {
	seq    uint64
	at     time.Time
	dedupe []byte // JSON string contents, escapes not undone; aliases the line
	result []byte // likewise
}

// dedupeKey returns the unescaped dedupe key.
func (h *head) dedupeKey() string { return unescape(h.dedupe) }

func readHead(js []byte) (head, error) {
	if h, ok := parseHead(js); ok {
		return h, nil
	}
	var w struct {
		Seq        uint64    `json:"seq"`
		ReceivedAt time.Time `json:"received_at"`
		DedupeKey  string    `json:"dedupe_key"`
		Result     string    `json:"result"`
	}
	if err := json.Unmarshal(js, &w); err != nil {
		return head{}, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	return head{seq: w.Seq, at: w.ReceivedAt, dedupe: escaped(w.DedupeKey), result: escaped(w.Result)}, nil
}

// escaped is the inverse of unescape: s as the contents of a JSON string.
func escaped(s string) []byte {
	q := appendString(nil, s)
	return q[1 : len(q)-1]
}

func parseHead(js []byte) (h head, ok bool) {
	p, ok := bytes.CutPrefix(js, []byte(`{"seq":`))
	if !ok {
		return h, false
	}
	if h.seq, p, ok = cutUint(p); !ok {
		return h, false
	}
	if p, ok = bytes.CutPrefix(p, []byte(`,"received_at":`)); !ok {
		return h, false
	}
	var at []byte
	if at, p, ok = cutString(p); !ok {
		return h, false
	}
	if h.at, ok = parseTimeUTC(at); !ok {
		return h, false
	}
	if p, ok = bytes.CutPrefix(p, []byte(`,"source":`)); !ok {
		return h, false
	}
	if _, p, ok = cutString(p); !ok {
		return h, false
	}
	if p, ok = bytes.CutPrefix(p, []byte(`,"request_id":`)); !ok {
		return h, false
	}
	if _, p, ok = cutString(p); !ok {
		return h, false
	}
	if rest, found := bytes.CutPrefix(p, []byte(`,"dedupe_key":`)); found {
		if h.dedupe, p, ok = cutString(rest); !ok {
			return h, false
		}
	}
	if p, ok = bytes.CutPrefix(p, []byte(`,"result":`)); !ok {
		return h, false
	}
	if h.result, _, ok = cutString(p); !ok {
		return h, false
	}
	return h, true
}

// cutUint parses the decimal digits at the start of p.
func cutUint(p []byte) (n uint64, rest []byte, ok bool) {
	i := 0
	for ; i < len(p) && p[i] >= '0' && p[i] <= '9'; i++ {
		d := uint64(p[i] - '0')
		if n > (1<<64-1-d)/10 {
			return 0, nil, false
		}
		n = n*10 + d
	}
	return n, p[i:], i > 0
}

// cutString returns the contents of the JSON string at the start of p (escapes
// left in place) and what follows its closing quote.
func cutString(p []byte) (s, rest []byte, ok bool) {
	if len(p) == 0 || p[0] != '"' {
		return nil, nil, false
	}
	for i := 1; i < len(p); i++ {
		switch p[i] {
		case '\\':
			i++
		case '"':
			return p[1:i], p[i+1:], true
		}
	}
	return nil, nil, false
}

// unescape turns the contents of a JSON string back into a Go string.
func unescape(raw []byte) string {
	if bytes.IndexByte(raw, '\\') < 0 {
		return string(raw)
	}
	var s string
	q := make([]byte, 0, len(raw)+2)
	q = append(append(append(q, '"'), raw...), '"')
	if err := json.Unmarshal(q, &s); err != nil {
		return string(raw)
	}
	return s
}

// parseTimeUTC parses the RFC 3339 UTC form encode writes
// (2006-01-02T15:04:05.999999999Z) without allocating; other forms go to time.Parse.
func parseTimeUTC(b []byte) (time.Time, bool) {
	if len(b) < 20 || b[len(b)-1] != 'Z' || b[4] != '-' || b[7] != '-' || b[10] != 'T' || b[13] != ':' || b[16] != ':' {
		return parseTimeSlow(b)
	}
	num := func(b []byte) int {
		n := 0
		for _, c := range b {
			if c < '0' || c > '9' {
				return -1
			}
			n = n*10 + int(c-'0')
		}
		return n
	}
	year, month, day := num(b[0:4]), num(b[5:7]), num(b[8:10])
	hour, minute, sec := num(b[11:13]), num(b[14:16]), num(b[17:19])
	nsec := 0
	if frac := b[19 : len(b)-1]; len(frac) > 0 {
		if frac[0] != '.' || len(frac) < 2 || len(frac) > 10 {
			return parseTimeSlow(b)
		}
		nsec = num(frac[1:])
		for i := len(frac) - 1; i < 9; i++ {
			nsec *= 10
		}
	}
	if year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 ||
		minute < 0 || minute > 59 || sec < 0 || sec > 59 || nsec < 0 {
		return parseTimeSlow(b)
	}
	return time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC), true
}

func parseTimeSlow(b []byte) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339Nano, string(b))
	return t, err == nil
}
