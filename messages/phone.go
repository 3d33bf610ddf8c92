package messages

import (
	"errors"
	"strings"
)

// Phone is a phone number in E.164 form ("+15555550123"), normalised once at the edge so
// every map key, file and comparison downstream uses the same spelling.
type Phone string

// errPhone is returned for anything NormalizePhone cannot turn into E.164.
var errPhone = errors.New("not a valid phone number")

// NormalizePhone turns the formats CRMs and providers send ("(555) 555-0123",
// "555.555.0123", "1-555-555-0123", "+1 (555) 555-0123") into E.164, and rejects
// everything else so a bad number is a 400 at the gateway rather than a failed dial later.
func NormalizePhone(raw string) (Phone, error) {
	var b strings.Builder
	b.Grow(len(raw))
	for i := 0; i < len(raw); i++ {
		switch c := raw[i]; c {
		case ' ', '\t', '-', '.', '(', ')':
			// Formatting only; carries no digits.
		default:
			b.WriteByte(c)
		}
	}
	s := b.String()
	if plus, ok := strings.CutPrefix(s, "+"); ok {
		if allDigits(plus) && len(plus) >= 8 && len(plus) <= 15 {
			return Phone(s), nil
		}
		return "", errPhone
	}
	if !allDigits(s) {
		return "", errPhone
	}
	switch {
	case len(s) == 10:
		return Phone("+1" + s), nil
	case len(s) == 11 && s[0] == '1':
		return Phone("+" + s), nil
	}
	return "", errPhone
}

// allDigits reports whether s is non-empty and made only of ASCII digits (not other
// Unicode digits, which no dialler accepts).
func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Masked renders the phone for logs ("+1******0123"): enough to correlate with an
// operator's report by the last 4 digits without writing the number to disk.
func (p Phone) Masked() string {
	s := string(p)
	keep := ""
	switch {
	case strings.HasPrefix(s, "+1") && len(s) == 12:
		keep, s = "+1", s[2:]
	case strings.HasPrefix(s, "+"):
		keep, s = "+", s[1:]
	}
	r := []rune(s)
	if len(r) <= 4 {
		// Too short to hide a middle: showing the last 4 would show everything.
		return keep + strings.Repeat("*", len(r))
	}
	return keep + strings.Repeat("*", len(r)-4) + string(r[len(r)-4:])
}
