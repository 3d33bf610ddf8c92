package messages

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// decodeValue is the webhook bodies' JSON decoder: it yields exactly what
// encoding/json's Decoder with UseNumber yields into an `any` (string,
// json.Number, bool, nil, map[string]any, []any; a repeated key keeps its
// last value; invalid UTF-8 and lone surrogates become U+FFFD), and refuses
// what it refuses, in one pass over the body without copying it first. A
// differential fuzz test holds it to that. Every webhook is parsed at the
// gateway and again by its consumer, and the ~2 KB transcripts made
// encoding/json's scan-then-decode the largest CPU cost of ingestion.
type jsonDecoder struct {
	b     []byte
	i     int
	depth int
	// keep, when set, names the top-level keys whose values are decoded; the
	// others are checked and skipped without building anything (the gateway
	// validates a completion without copying its transcript).
	keep func(key []byte) bool
}

// maxJSONDepth is encoding/json's nesting limit.
const maxJSONDepth = 10000

var errJSONEnd = errors.New("unexpected end of JSON input")

func (d *jsonDecoder) syntax(what string) error {
	if d.i >= len(d.b) {
		return errJSONEnd
	}
	return fmt.Errorf("invalid character %s %s at offset %d", quoteChar(d.b[d.i]), what, d.i)
}

func quoteChar(c byte) string {
	if c == '\'' {
		return `'\''`
	}
	if c == '"' {
		return `'"'`
	}
	s := strconv.Quote(string(rune(c)))
	return "'" + s[1:len(s)-1] + "'"
}

func (d *jsonDecoder) space() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// document decodes one value followed by nothing but whitespace.
func (d *jsonDecoder) document() (any, error) {
	v, err := d.value()
	if err != nil {
		return nil, err
	}
	d.space()
	if d.i < len(d.b) {
		return nil, errors.New("unexpected data after the JSON value")
	}
	return v, nil
}

func (d *jsonDecoder) value() (any, error) {
	d.space()
	if d.i >= len(d.b) {
		return nil, errJSONEnd
	}
	switch c := d.b[d.i]; {
	case c == '{':
		return d.object()
	case c == '[':
		return d.array()
	case c == '"':
		return d.str()
	case c == '-' || c >= '0' && c <= '9':
		return d.number()
	case c == 't':
		return true, d.literal("true")
	case c == 'f':
		return false, d.literal("false")
	case c == 'n':
		return nil, d.literal("null")
	}
	return nil, d.syntax("looking for beginning of value")
}

func (d *jsonDecoder) literal(word string) error {
	for k := 0; k < len(word); k++ {
		if d.i >= len(d.b) {
			return errJSONEnd
		}
		if d.b[d.i] != word[k] {
			return d.syntax("in literal " + word)
		}
		d.i++
	}
	return nil
}

func (d *jsonDecoder) nest() error {
	d.depth++
	if d.depth > maxJSONDepth {
		return errors.New("exceeded max depth")
	}
	return nil
}

func (d *jsonDecoder) object() (any, error) {
	if err := d.nest(); err != nil {
		return nil, err
	}
	d.i++ // '{'
	obj := map[string]any{}
	d.space()
	if d.i < len(d.b) && d.b[d.i] == '}' {
		d.i++
		d.depth--
		return obj, nil
	}
	for {
		d.space()
		if d.i >= len(d.b) {
			return nil, errJSONEnd
		}
		if d.b[d.i] != '"' {
			return nil, d.syntax("looking for beginning of object key string")
		}
		key, skip, err := d.key()
		if err != nil {
			return nil, err
		}
		d.space()
		if d.i >= len(d.b) {
			return nil, errJSONEnd
		}
		if d.b[d.i] != ':' {
			return nil, d.syntax("after object key")
		}
		d.i++
		if skip {
			if err := d.skip(); err != nil {
				return nil, err
			}
		} else {
			v, err := d.value()
			if err != nil {
				return nil, err
			}
			obj[key] = v
		}
		d.space()
		if d.i >= len(d.b) {
			return nil, errJSONEnd
		}
		switch d.b[d.i] {
		case ',':
			d.i++
		case '}':
			d.i++
			d.depth--
			return obj, nil
		default:
			return nil, d.syntax("after object key:value pair")
		}
	}
}

func (d *jsonDecoder) array() (any, error) {
	if err := d.nest(); err != nil {
		return nil, err
	}
	d.i++ // '['
	arr := []any{}
	d.space()
	if d.i < len(d.b) && d.b[d.i] == ']' {
		d.i++
		d.depth--
		return arr, nil
	}
	for {
		v, err := d.value()
		if err != nil {
			return nil, err
		}
		arr = append(arr, v)
		d.space()
		if d.i >= len(d.b) {
			return nil, errJSONEnd
		}
		switch d.b[d.i] {
		case ',':
			d.i++
		case ']':
			d.i++
			d.depth--
			return arr, nil
		default:
			return nil, d.syntax("after array element")
		}
	}
}

// number checks the JSON number grammar and returns the literal.
func (d *jsonDecoder) number() (any, error) {
	start := d.i
	if d.b[d.i] == '-' {
		d.i++
	}
	switch {
	case d.i >= len(d.b):
		return nil, errJSONEnd
	case d.b[d.i] == '0':
		d.i++
	case d.b[d.i] >= '1' && d.b[d.i] <= '9':
		d.digits()
	default:
		return nil, d.syntax("in numeric literal")
	}
	if d.i < len(d.b) && d.b[d.i] == '.' {
		d.i++
		if d.i >= len(d.b) {
			return nil, errJSONEnd
		}
		if !isDigit(d.b[d.i]) {
			return nil, d.syntax("after decimal point in numeric literal")
		}
		d.digits()
	}
	if d.i < len(d.b) && (d.b[d.i] == 'e' || d.b[d.i] == 'E') {
		d.i++
		if d.i < len(d.b) && (d.b[d.i] == '+' || d.b[d.i] == '-') {
			d.i++
		}
		if d.i >= len(d.b) {
			return nil, errJSONEnd
		}
		if !isDigit(d.b[d.i]) {
			return nil, d.syntax("in exponent of numeric literal")
		}
		d.digits()
	}
	return json.Number(d.b[start:d.i]), nil
}

func (d *jsonDecoder) digits() {
	for d.i < len(d.b) && isDigit(d.b[d.i]) {
		d.i++
	}
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// key reads an object key. A top-level key that keep passes over is only
// checked, not copied (skip): most of a completion's keys are such.
func (d *jsonDecoder) key() (key string, skip bool, err error) {
	if d.keep == nil || d.depth != 1 {
		key, err = d.str()
		return key, false, err
	}
	if end := plainRun(d.b, d.i+1); end < len(d.b) && d.b[end] == '"' && utf8.Valid(d.b[d.i+1:end]) {
		raw := d.b[d.i+1 : end]
		if !d.keep(raw) {
			d.i = end + 1
			return "", true, nil
		}
	}
	if key, err = d.str(); err != nil {
		return "", false, err
	}
	return key, !d.keep([]byte(key)), nil
}

// str decodes a string starting at its opening quote. The common case, no
// escape and ASCII or valid UTF-8, is one scan and one copy.
func (d *jsonDecoder) str() (string, error) {
	d.i++ // '"'
	start := d.i
	d.i = plainRun(d.b, d.i)
	if d.i >= len(d.b) {
		return "", errJSONEnd
	}
	run := d.b[start:d.i]
	switch c := d.b[d.i]; {
	case c == '"' && utf8.Valid(run):
		d.i++
		return string(run), nil
	case c < 0x20:
		return "", d.syntax("in string literal")
	}
	d.i = start // an escape or invalid UTF-8: decoded from the start
	return d.strSlow(start)
}

// strSlow decodes escapes and checks UTF-8, from the string's start.
func (d *jsonDecoder) strSlow(start int) (string, error) {
	out := make([]byte, 0, d.i-start+16)
	out = append(out, d.b[start:d.i]...)
	for d.i < len(d.b) {
		c := d.b[d.i]
		switch {
		case c == '"':
			d.i++
			return string(out), nil
		case c < 0x20:
			return "", d.syntax("in string literal")
		case c == '\\':
			var err error
			if out, err = d.escape(out); err != nil {
				return "", err
			}
		case c < utf8.RuneSelf:
			out = append(out, c)
			d.i++
		default:
			r, size := utf8.DecodeRune(d.b[d.i:])
			d.i += size
			out = utf8.AppendRune(out, r) // invalid bytes become U+FFFD, as encoding/json does
		}
	}
	return "", errJSONEnd
}

// escape decodes one backslash escape at d.i onto out.
func (d *jsonDecoder) escape(out []byte) ([]byte, error) {
	d.i++ // '\\'
	if d.i >= len(d.b) {
		return nil, errJSONEnd
	}
	c := d.b[d.i]
	d.i++
	switch c {
	case '"', '\\', '/':
		return append(out, c), nil
	case 'b':
		return append(out, '\b'), nil
	case 'f':
		return append(out, '\f'), nil
	case 'n':
		return append(out, '\n'), nil
	case 'r':
		return append(out, '\r'), nil
	case 't':
		return append(out, '\t'), nil
	case 'u':
		r, err := d.hex4()
		if err != nil {
			return nil, err
		}
		if utf16.IsSurrogate(r) {
			// A high surrogate pairs with an immediately following \u low one;
			// anything else leaves it lone, which encoding/json writes as U+FFFD.
			if d.i+1 < len(d.b) && d.b[d.i] == '\\' && d.b[d.i+1] == 'u' {
				save := d.i
				d.i += 2
				r2, err := d.hex4()
				if err != nil {
					return nil, err
				}
				if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
					return utf8.AppendRune(out, dec), nil
				}
				d.i = save
			}
			r = utf8.RuneError
		}
		return utf8.AppendRune(out, r), nil
	}
	d.i--
	return nil, d.syntax("in string escape code")
}

func (d *jsonDecoder) hex4() (rune, error) {
	var r rune
	for k := 0; k < 4; k++ {
		if d.i >= len(d.b) {
			return 0, errJSONEnd
		}
		c := d.b[d.i]
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, d.syntax("in \\u hexadecimal character escape")
		}
		r = r<<4 | rune(c)
		d.i++
	}
	return r, nil
}

// skip checks one value as value would, building nothing.
func (d *jsonDecoder) skip() error {
	d.space()
	if d.i >= len(d.b) {
		return errJSONEnd
	}
	switch c := d.b[d.i]; {
	case c == '{':
		return d.skipContainer('}', true)
	case c == '[':
		return d.skipContainer(']', false)
	case c == '"':
		return d.skipString()
	case c == '-' || c >= '0' && c <= '9':
		_, err := d.number()
		return err
	case c == 't':
		return d.literal("true")
	case c == 'f':
		return d.literal("false")
	case c == 'n':
		return d.literal("null")
	}
	return d.syntax("looking for beginning of value")
}

// skipContainer skips an object (keyed) or an array up to its closing byte.
func (d *jsonDecoder) skipContainer(closing byte, keyed bool) error {
	if err := d.nest(); err != nil {
		return err
	}
	d.i++
	d.space()
	if d.i < len(d.b) && d.b[d.i] == closing {
		d.i++
		d.depth--
		return nil
	}
	for {
		if keyed {
			d.space()
			if d.i >= len(d.b) {
				return errJSONEnd
			}
			if d.b[d.i] != '"' {
				return d.syntax("looking for beginning of object key string")
			}
			if err := d.skipString(); err != nil {
				return err
			}
			d.space()
			if d.i >= len(d.b) {
				return errJSONEnd
			}
			if d.b[d.i] != ':' {
				return d.syntax("after object key")
			}
			d.i++
		}
		if err := d.skip(); err != nil {
			return err
		}
		d.space()
		if d.i >= len(d.b) {
			return errJSONEnd
		}
		switch d.b[d.i] {
		case ',':
			d.i++
		case closing:
			d.i++
			d.depth--
			return nil
		default:
			return d.syntax("after object key:value pair")
		}
	}
}

// skipString checks a string's escapes and control characters; any bytes
// pass otherwise (encoding/json replaces invalid UTF-8, it does not refuse it).
func (d *jsonDecoder) skipString() error {
	d.i++ // '"'
	for {
		if d.i = plainRun(d.b, d.i); d.i >= len(d.b) {
			return errJSONEnd
		}
		switch c := d.b[d.i]; {
		case c == '"':
			d.i++
			return nil
		case c < 0x20:
			return d.syntax("in string literal")
		}
		if err := d.skipEscape(); err != nil {
			return err
		}
	}
}

// skipEscape checks one backslash escape at d.i.
func (d *jsonDecoder) skipEscape() error {
	d.i++ // '\\'
	if d.i >= len(d.b) {
		return errJSONEnd
	}
	switch d.b[d.i] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		d.i++
		return nil
	case 'u':
		d.i++
		_, err := d.hex4()
		return err
	}
	return d.syntax("in string escape code")
}

// PlainRunEnd is plainRun for other packages' JSON scanners (the journal's
// validator): the end of the plain run of a JSON string starting at i.
func PlainRunEnd(b []byte, i int) int { return plainRun(b, i) }

// plainRun returns the index of the first byte at or after i that ends a
// plain run inside a JSON string: '"', '\\' or a control character (len(b)
// when none). It tests eight bytes at a time; the expressions are the
// classic exact "has a zero byte" and "has a byte below n" tests, so a
// word without such a byte is skipped whole.
func plainRun(b []byte, i int) int {
	const (
		ones  = 0x0101010101010101
		highs = 0x8080808080808080
	)
	for ; i+8 <= len(b); i += 8 {
		w := binary.LittleEndian.Uint64(b[i:])
		quote, slash := w^(ones*'"'), w^(ones*'\\')
		if ((w-ones*0x20)&^w|(quote-ones)&^quote|(slash-ones)&^slash)&highs != 0 {
			break
		}
	}
	for ; i < len(b); i++ {
		if c := b[i]; c == '"' || c == '\\' || c < 0x20 {
			return i
		}
	}
	return i
}
