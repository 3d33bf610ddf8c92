package messages

import (
	"errors"
	"strings"
)

// ErrNotObject is returned for a body that is valid JSON but not an object (`[]`, `"x"`,
// `null`); the gateway answers it like malformed JSON, 400 "bad_json".
var ErrNotObject = errors.New("body is not a JSON object")

// BadJSONError wraps a decoding failure (empty body, truncated or trailing data) so the
// gateway can answer 400 "bad_json" while the log keeps the decoder's detail.
type BadJSONError struct {
	Err error
}

// Error names the problem in the decoder's words.
func (e *BadJSONError) Error() string {
	return "malformed JSON: " + e.Err.Error()
}

// Unwrap exposes the decoder's error (for example a *json.SyntaxError with its offset).
func (e *BadJSONError) Unwrap() error { return e.Err }

// FieldError is one problem with one field, in the webhook's own field names so the
// sender can fix its payload from our 400 answer.
type FieldError struct {
	Field   string `json:"field"`
	Problem string `json:"problem"`
}

// ValidationError lists every field problem of one body at once, so a sender fixes its
// payload in one round trip; the gateway answers it with 400 "invalid_fields".
type ValidationError struct {
	Fields []FieldError `json:"fields"`
}

// Error names every field, e.g. "invalid webhook: phone_number: required; lead_id: required".
func (e *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString("invalid webhook")
	for i, f := range e.Fields {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(f.Field)
		b.WriteString(": ")
		b.WriteString(f.Problem)
	}
	return b.String()
}

// Problems shared by the parsers, so the same fault reads the same way on every webhook.
const (
	problemRequired      = "required"
	problemString        = "must be a string"
	problemStringOrNum   = "must be a string or a number"
	problemInvalidNumber = "must be a finite number"
	problemPhone         = "not a valid phone number"
)

// validator collects field problems so a parser reports all of them, not just the first.
type validator struct {
	fields []FieldError
}

// add records one problem.
func (v *validator) add(field, problem string) {
	v.fields = append(v.fields, FieldError{Field: field, Problem: problem})
}

// err is nil when nothing was recorded, else a *ValidationError (never a typed nil).
func (v *validator) err() error {
	if len(v.fields) == 0 {
		return nil
	}
	return &ValidationError{Fields: v.fields}
}

// requiredString reads a field that must be a non-empty string (the provider's call_id).
func (v *validator) requiredString(obj map[string]any, key string) string {
	switch x := obj[key].(type) {
	case nil:
		v.add(key, problemRequired)
	case string:
		if s := strings.TrimSpace(x); s != "" {
			return s
		}
		v.add(key, problemRequired)
	default:
		v.add(key, problemString)
	}
	return ""
}

// requiredID reads an id the CRM may send as a JSON string or a number; numbers are
// rendered without an exponent so 900123 and "900123" are the same lead.
func (v *validator) requiredID(obj map[string]any, key string) string {
	switch x := obj[key].(type) {
	case nil:
		v.add(key, problemRequired)
	case string:
		if s := strings.TrimSpace(x); s != "" {
			return s
		}
		v.add(key, problemRequired)
	case jsonNumber:
		if s, ok := formatNumber(x); ok {
			return s
		}
		v.add(key, problemInvalidNumber)
	default:
		v.add(key, problemStringOrNum)
	}
	return ""
}

// phone reads and normalises a phone field; a JSON integer is accepted too, because
// form-based CRMs send phone numbers as numbers. Absent, null and "" count as missing.
func (v *validator) phone(obj map[string]any, key string, required bool) Phone {
	var raw string
	switch x := obj[key].(type) {
	case nil:
	case string:
		raw = strings.TrimSpace(x)
	case jsonNumber:
		if !allDigits(string(x)) {
			v.add(key, problemPhone)
			return ""
		}
		raw = string(x)
	default:
		v.add(key, problemString)
		return ""
	}
	if raw == "" {
		if required {
			v.add(key, problemRequired)
		}
		return ""
	}
	p, err := NormalizePhone(raw)
	if err != nil {
		v.add(key, problemPhone)
		return ""
	}
	return p
}
