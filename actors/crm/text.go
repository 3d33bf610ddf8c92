package crm

import (
	"strings"

	"orchestrator/actors/convoso"
)

// maxError bounds an error text kept in an item and logged.
const maxError = 512

// scrub makes an error text safe to log and store: the value after any
// "auth_token" (a CRM echoing our form back) is masked, phone-shaped digit
// runs keep their last 4 digits only, and the text is cut to maxError bytes.
func scrub(s string) string {
	return convoso.Clip(maskDigits(maskToken(s)), maxError)
}

// maskToken replaces what follows each "auth_token" (after separators such
// as `=`, `":"` or their URL-encoded forms) up to the next delimiter.
func maskToken(s string) string {
	const name = "auth_token"
	var b strings.Builder
	lower := strings.ToLower(s)
	for {
		i := strings.Index(lower, name)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		j := i + len(name)
		for j < len(s) {
			if rest := lower[j:]; strings.HasPrefix(rest, "%22") || strings.HasPrefix(rest, "%3a") || strings.HasPrefix(rest, "%3d") {
				j += 3
				continue
			}
			if !strings.ContainsRune(`"':= \`, rune(s[j])) {
				break
			}
			j++
		}
		k := j
		for k < len(s) && !strings.ContainsRune("&\"',;}] \t\r\n<\\", rune(s[k])) {
			if strings.HasPrefix(lower[k:], "%22") || strings.HasPrefix(lower[k:], "%26") {
				break
			}
			k++
		}
		b.WriteString(s[:j])
		if k > j {
			b.WriteString("******")
		}
		s, lower = s[k:], lower[k:]
	}
}

// maskDigits hides all but the last 4 digits of every run of 7 or more, the
// shape of a phone number (DESIGN §6: phones masked in logs).
func maskDigits(s string) string {
	if !hasPhoneRun(s) {
		return s // most texts and keys: no copy
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		j := i
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		switch {
		case j == i:
			b.WriteByte(s[i])
			j = i + 1
		case j-i >= 7:
			b.WriteString(strings.Repeat("*", j-i-4))
			b.WriteString(s[j-4 : j])
		default:
			b.WriteString(s[i:j])
		}
		i = j
	}
	return b.String()
}

// hasPhoneRun says whether s has a run of 7 or more digits.
func hasPhoneRun(s string) bool {
	run := 0
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			run = 0
		} else if run++; run >= 7 {
			return true
		}
	}
	return false
}

// logKey is an update key as logged: "dnc:<phone>" keys carry a phone.
func logKey(k string) string { return maskDigits(k) }
