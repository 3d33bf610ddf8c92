package messages

import "strings"

// answeredMinS is the shortest call that counts as answered; the old system compared
// minutes to 20 and so counted almost nothing.
const answeredMinS = 20

// noAnswerMaxS is the duration under which a call with no answered_by never really rang.
const noAnswerMaxS = 5

// CallFacts are the parts of a completion webhook the outcome rules look at, gathered so
// ClassifyOutcome stays a pure function that is easy to table-test.
type CallFacts struct {
	AnsweredBy        string
	Status            string
	ErrorMessage      string
	DurationS         float64
	Tags              []string
	TransferMerged    bool // warm_transfer_call.state == "MERGED"
	CallbackRequested bool // variables.callback_requested is true
}

// ClassifyOutcome applies DOMAIN.md's outcome rules, first match wins, in their order.
// SALE is never produced here: only the CRM knows about a sale.
func ClassifyOutcome(f CallFacts) Outcome {
	answeredBy := squash(f.AnsweredBy)
	status := squash(f.Status)
	failed := status == "failed" || strings.TrimSpace(f.ErrorMessage) != ""
	busy := strings.Contains(answeredBy, "busy") || strings.Contains(status, "busy")
	switch {
	case strings.Contains(answeredBy, "voicemail") || strings.Contains(answeredBy, "machine") ||
		anyTag(f.Tags, "voicemail", "voice mail", "answering machine"):
		return OutcomeVoicemail
	case answeredBy == "noanswer" || status == "noanswer":
		return OutcomeNoAnswer
	// The short-call clause is skipped for failed and busy calls: such a call never rang,
	// so it has no answered_by and no duration, and without this guard rule 2 would swallow
	// every failure and busy signal as NO_ANSWER and rules 3 and 7 would never fire.
	case unknownAnswer(answeredBy) && f.DurationS < noAnswerMaxS && !f.TransferMerged && !failed && !busy:
		return OutcomeNoAnswer
	case busy:
		return OutcomeBusy
	case f.TransferMerged:
		return OutcomeTransferred
	case anyTag(f.Tags, "not interested", "decline"):
		return OutcomeNotInterested
	case f.CallbackRequested || anyTag(f.Tags, "callback", "call back"):
		return OutcomeCallback
	case failed:
		return OutcomeFailed
	}
	return OutcomeConfused
}

// IsAnswered reports whether a person talked to us: answered_by "human" and at least 20 s.
// DOMAIN.md's alternative clause (transcript ≥ 50 characters) also needs ≥ 20 s and is read
// as qualifying a human answer, so it adds nothing and is not a parameter; reading it as a
// standalone rule would count every long voicemail greeting as answered.
func IsAnswered(answeredBy string, durationS float64) bool {
	return strings.EqualFold(strings.TrimSpace(answeredBy), "human") && durationS >= answeredMinS
}

// squash lower-cases s and drops spaces, dashes and underscores, so "No Answer",
// "no-answer", "no_answer" and "noanswer" are one spelling.
func squash(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '_', '\t':
			return -1
		}
		return r
	}, strings.ToLower(s))
}

// unknownAnswer is an answered_by that says nothing: absent, null, or the provider's
// "unknown" when its machine detection could not decide.
func unknownAnswer(squashed string) bool {
	return squashed == "" || squashed == "unknown"
}

// anyTag reports whether some tag mentions one of the phrases, ignoring case and treating
// "_" and "-" as spaces, so "Not_Interested" and "call-back" match.
func anyTag(tags []string, phrases ...string) bool {
	for _, t := range tags {
		t = strings.ToLower(strings.NewReplacer("_", " ", "-", " ").Replace(t))
		for _, p := range phrases {
			if strings.Contains(t, p) {
				return true
			}
		}
	}
	return false
}
