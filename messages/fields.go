package messages

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

// jsonNumber is how decodeObject delivers numbers: as their literal text, so ids longer
// than a float64's 53 bits survive and nothing is rounded before we decide how to render it.
type jsonNumber = json.Number

// decodeObject decodes a webhook body that must be exactly one JSON object.
func decodeObject(body []byte) (map[string]any, error) { return decodeObjectKeeping(body, nil) }

// decodeObjectKeeping is decodeObject building only the top-level values
// whose key keep accepts (all when nil); the others are checked, not built.
func decodeObjectKeeping(body []byte, keep func(key []byte) bool) (map[string]any, error) {
	d := jsonDecoder{b: body, keep: keep}
	v, err := d.document()
	if err != nil {
		// Refused: encoding/json says why, in the words (and *json.SyntaxError)
		// callers and senders know. Only bad bodies pay for the second pass.
		v, err = decodeStd(body)
		if err != nil {
			return nil, err
		}
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, ErrNotObject
	}
	return obj, nil
}

// decodeStd is encoding/json's reading of a body that must be one value.
func decodeStd(body []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		if errors.Is(err, io.EOF) {
			err = errors.New("empty body")
		}
		return nil, &BadJSONError{Err: err}
	}
	// A second value or trailing garbage means the sender and we disagree on where the
	// body ends; refusing it beats guessing which part was meant.
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		if err == nil {
			err = errors.New("unexpected data after the JSON value")
		}
		return nil, &BadJSONError{Err: err}
	}
	return v, nil
}

// formatNumber renders a JSON number as plain decimal text ("1e3" → "1000"); integer
// literals are kept verbatim so long ids are never rounded. ok is false for numbers
// outside float64's range.
func formatNumber(n jsonNumber) (string, bool) {
	s := string(n)
	if allDigits(strings.TrimPrefix(s, "-")) {
		return s, true
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return "", false
	}
	return strconv.FormatFloat(f, 'f', -1, 64), true
}

// scalarString renders a JSON scalar as text (strings trimmed, numbers without exponent,
// bools as "true"/"false"); ok is false for null, objects, arrays and unrenderable numbers.
func scalarString(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return strings.TrimSpace(x), true
	case jsonNumber:
		return formatNumber(x)
	case bool:
		return strconv.FormatBool(x), true
	}
	return "", false
}

// text reads an optional free-text field; a wrong type reads as absent, because refusing a
// whole webhook over a cosmetic field would lose the call or lead it describes.
func text(obj map[string]any, key string) string {
	s, _ := scalarString(obj[key])
	return s
}

// firstText is the first non-empty of several spellings of the same field.
func firstText(obj map[string]any, keys ...string) string {
	for _, k := range keys {
		if s := text(obj, k); s != "" {
			return s
		}
	}
	return ""
}

// number reads a finite number sent as a JSON number or a numeric string.
func number(v any) (float64, bool) {
	var s string
	switch x := v.(type) {
	case jsonNumber:
		s = string(x)
	case string:
		s = strings.TrimSpace(x)
	default:
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, false
	}
	return f, true
}

// stringMap flattens an object of mixed scalars into text values; nested objects, arrays
// and nulls are dropped because no consumer reads them and a string map keeps state simple.
// It is nil when nothing is left, so "absent" and "empty" compare equal.
func stringMap(v any) map[string]string {
	obj, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	var m map[string]string
	for k, val := range obj {
		s, ok := scalarString(val)
		if !ok {
			continue
		}
		if m == nil {
			m = make(map[string]string, len(obj))
		}
		m[k] = s
	}
	return m
}

// timestamp reads the first RFC 3339 instant among keys, in UTC; anything else reads as
// zero, leaving the consumer to use the journal's receive time.
func timestamp(obj map[string]any, keys ...string) time.Time {
	for _, k := range keys {
		s, ok := obj[k].(string)
		if !ok {
			continue
		}
		if t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(s)); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}
