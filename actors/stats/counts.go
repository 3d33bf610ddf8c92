package stats

import (
	"math"

	"orchestrator/messages"
)

// Apply adds one completion to a day's counters. It is the one definition of
// the counters (DOMAIN "stats"), shared by the live actor and
// `orchestrator stats rebuild`: failed is outcome FAILED and completed is
// everything else; answered and transferred are the parser's flags (answered:
// a human for at least 20 s; transferred: a MERGED warm transfer); the other
// counters are their outcome's. Inbound calls count like outbound ones.
func Apply(c messages.StatsCounts, cc messages.CallCompleted) messages.StatsCounts {
	c.TotalCalls++
	if cc.Outcome == messages.OutcomeFailed {
		c.FailedCalls++
	} else {
		c.CompletedCalls++
	}
	if cc.Answered {
		c.AnsweredCalls++
	}
	if cc.Transferred {
		c.TransferredCalls++
	}
	switch cc.Outcome {
	case messages.OutcomeVoicemail:
		c.VoicemailCalls++
	case messages.OutcomeNoAnswer:
		c.NoAnswerCalls++
	case messages.OutcomeBusy:
		c.BusyCalls++
	case messages.OutcomeNotInterested:
		c.NotInterestedCalls++
	case messages.OutcomeCallback:
		c.CallbackRequestedCalls++
	}
	return c
}

// Rates adds the rates to counters: transfer and connectivity rate are
// transferred / answered (the business's own definition), success rate is
// completed / total, each in percent with two decimals.
func Rates(c messages.StatsCounts) messages.CallStats {
	transfer := percent(c.TransferredCalls, c.AnsweredCalls)
	return messages.CallStats{
		StatsCounts:      c,
		TransferRate:     transfer,
		ConnectivityRate: transfer,
		SuccessRate:      percent(c.CompletedCalls, c.TotalCalls),
	}
}

// percent is n/of in percent rounded to two decimals; 0 when of is 0.
func percent(n, of int) float64 {
	if of == 0 {
		return 0
	}
	return math.Round(float64(n)*10000/float64(of)) / 100
}
