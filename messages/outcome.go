package messages

import (
	"fmt"
	"strings"
)

// Outcome is how a finished call (or an SMS opt-out) ended; it drives the CRM status,
// the statistics, the redial cadence and the SMS drip.
type Outcome string

// The outcomes, spelled as the CRM and the old system spelled them.
const (
	OutcomeTransferred   Outcome = "TRANSFERRED"
	OutcomeVoicemail     Outcome = "VOICEMAIL"
	OutcomeCallback      Outcome = "CALLBACK"
	OutcomeSale          Outcome = "SALE"
	OutcomeConfused      Outcome = "CONFUSED"
	OutcomeNotInterested Outcome = "NOT_INTERESTED"
	OutcomeNoAnswer      Outcome = "NO_ANSWER"
	OutcomeBusy          Outcome = "BUSY"
	OutcomeFailed        Outcome = "FAILED"
	// OutcomeDNC is not a call outcome: it records an SMS opt-out so the consumers of
	// outcomes (redial, sms, crm) stop contacting the lead through the same path.
	OutcomeDNC Outcome = "DNC"
)

// ParseOutcome reads an outcome from config or an admin request, tolerating case and
// "no-answer"/"not interested" spellings so operators need not remember underscores.
func ParseOutcome(s string) (Outcome, error) {
	norm := strings.ToUpper(strings.TrimSpace(s))
	norm = strings.NewReplacer("-", "_", " ", "_").Replace(norm)
	o := Outcome(norm)
	if o.CRMStatus() == "" {
		return "", fmt.Errorf("unknown outcome %q", s)
	}
	return o, nil
}

// CRMStatus is the CRM status code for this outcome (DOMAIN.md "Outcome → CRM status"),
// or "" for an unknown outcome so a caller never writes a made-up status into the CRM.
func (o Outcome) CRMStatus() string {
	// A switch rather than a package-level map: nothing can mutate it.
	switch o {
	case OutcomeTransferred:
		return "ACA"
	case OutcomeVoicemail:
		return "A"
	case OutcomeCallback:
		return "CB"
	case OutcomeSale:
		return "SALE"
	case OutcomeNotInterested:
		return "NI"
	case OutcomeNoAnswer:
		return "NA"
	case OutcomeBusy:
		return "B"
	case OutcomeFailed:
		return "N"
	case OutcomeConfused:
		return "CD"
	case OutcomeDNC:
		return "DNC"
	}
	return ""
}
