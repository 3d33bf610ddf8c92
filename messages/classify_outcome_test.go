package messages

import "testing"

func TestClassifyOutcome(t *testing.T) {
	tests := []struct {
		name string
		f    CallFacts
		want Outcome
	}{
		// Rule 1: voicemail.
		{"answered_by voicemail", CallFacts{AnsweredBy: "voicemail", DurationS: 33}, OutcomeVoicemail},
		{"answered_by machine", CallFacts{AnsweredBy: "machine", DurationS: 2}, OutcomeVoicemail},
		{"answered_by answering_machine", CallFacts{AnsweredBy: "answering_machine", DurationS: 40}, OutcomeVoicemail},
		{"answered_by Machine_End_Beep", CallFacts{AnsweredBy: "Machine_End_Beep", DurationS: 40}, OutcomeVoicemail},
		{"answered_by VOICEMAIL upper", CallFacts{AnsweredBy: "VOICEMAIL"}, OutcomeVoicemail},
		{"voicemail tag on a human call", CallFacts{AnsweredBy: "human", DurationS: 60, Tags: []string{"Voicemail"}}, OutcomeVoicemail},
		{"answering machine tag", CallFacts{DurationS: 60, Tags: []string{"Answering_Machine detected"}}, OutcomeVoicemail},
		{"voicemail beats merged transfer", CallFacts{AnsweredBy: "voicemail", TransferMerged: true}, OutcomeVoicemail},
		// Rule 2: no answer.
		{"answered_by no-answer", CallFacts{AnsweredBy: "no-answer", DurationS: 24}, OutcomeNoAnswer},
		{"answered_by no_answer", CallFacts{AnsweredBy: "no_answer", DurationS: 24}, OutcomeNoAnswer},
		{"answered_by noanswer", CallFacts{AnsweredBy: "noanswer"}, OutcomeNoAnswer},
		{"answered_by No Answer", CallFacts{AnsweredBy: "No Answer"}, OutcomeNoAnswer},
		{"status no-answer", CallFacts{Status: "no-answer", DurationS: 30}, OutcomeNoAnswer},
		{"empty answered_by short call", CallFacts{Status: "completed", DurationS: 4.9}, OutcomeNoAnswer},
		{"unknown answered_by short call", CallFacts{AnsweredBy: "unknown", DurationS: 1}, OutcomeNoAnswer},
		{"empty answered_by 5 s is not short", CallFacts{Status: "completed", DurationS: 5}, OutcomeConfused},
		{"short call with merged transfer", CallFacts{DurationS: 3, TransferMerged: true}, OutcomeTransferred},
		{"short failed call is failed", CallFacts{Status: "failed"}, OutcomeFailed},
		{"short call with error message is failed", CallFacts{ErrorMessage: "not in service"}, OutcomeFailed},
		{"no-answer beats failed", CallFacts{AnsweredBy: "no-answer", Status: "failed"}, OutcomeNoAnswer},
		// Rule 3: busy.
		{"answered_by busy", CallFacts{AnsweredBy: "busy"}, OutcomeBusy},
		{"status busy short call", CallFacts{Status: "busy"}, OutcomeBusy},
		{"status user-busy", CallFacts{Status: "user-busy", DurationS: 0}, OutcomeBusy},
		// Rule 4: transferred.
		{"merged transfer", CallFacts{AnsweredBy: "human", DurationS: 276, TransferMerged: true}, OutcomeTransferred},
		{"merged beats not-interested tag", CallFacts{AnsweredBy: "human", DurationS: 90, TransferMerged: true, Tags: []string{"Not Interested"}}, OutcomeTransferred},
		{"transfer tag without merge is not a transfer", CallFacts{AnsweredBy: "human", DurationS: 90, Tags: []string{"Transferred to Agent"}}, OutcomeConfused},
		// Rule 5: not interested.
		{"not interested tag", CallFacts{AnsweredBy: "human", DurationS: 40, Tags: []string{"Not Interested"}}, OutcomeNotInterested},
		{"not_interested tag", CallFacts{AnsweredBy: "human", DurationS: 40, Tags: []string{"not_interested"}}, OutcomeNotInterested},
		{"declined tag", CallFacts{AnsweredBy: "human", DurationS: 40, Tags: []string{"Customer Declined"}}, OutcomeNotInterested},
		{"not interested beats callback", CallFacts{AnsweredBy: "human", DurationS: 40, CallbackRequested: true, Tags: []string{"Not Interested"}}, OutcomeNotInterested},
		// Rule 6: callback.
		{"callback variable", CallFacts{AnsweredBy: "human", DurationS: 40, CallbackRequested: true}, OutcomeCallback},
		{"callback tag", CallFacts{AnsweredBy: "human", DurationS: 40, Tags: []string{"Callback Requested"}}, OutcomeCallback},
		{"call back tag", CallFacts{AnsweredBy: "human", DurationS: 40, Tags: []string{"Wants a call-back"}}, OutcomeCallback},
		{"callback beats failed", CallFacts{AnsweredBy: "human", DurationS: 40, CallbackRequested: true, ErrorMessage: "x"}, OutcomeCallback},
		// Rule 7: failed.
		{"status failed long call", CallFacts{AnsweredBy: "human", Status: "failed", DurationS: 40}, OutcomeFailed},
		{"error message", CallFacts{AnsweredBy: "human", DurationS: 40, ErrorMessage: "provider error"}, OutcomeFailed},
		{"whitespace error message is none", CallFacts{AnsweredBy: "human", DurationS: 40, ErrorMessage: "  "}, OutcomeConfused},
		// Rule 8: confused.
		{"human talked, nothing decided", CallFacts{AnsweredBy: "human", Status: "completed", DurationS: 45}, OutcomeConfused},
		{"human short call", CallFacts{AnsweredBy: "human", DurationS: 2}, OutcomeConfused},
		{"zero facts", CallFacts{DurationS: 10}, OutcomeConfused},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ClassifyOutcome(tt.f); got != tt.want {
				t.Errorf("ClassifyOutcome(%+v) = %q, want %q", tt.f, got, tt.want)
			}
		})
	}
}

func TestIsAnswered(t *testing.T) {
	tests := []struct {
		answeredBy string
		durationS  float64
		want       bool
	}{
		{"human", 20, true},
		{"human", 276, true},
		{"Human", 25, true},
		{" human ", 25, true},
		{"human", 19.999, false},
		{"human", 0, false},
		{"voicemail", 33, false},
		{"", 300, false},
		{"unknown", 300, false},
		{"no-answer", 24, false},
	}
	for _, tt := range tests {
		t.Run(tt.answeredBy, func(t *testing.T) {
			if got := IsAnswered(tt.answeredBy, tt.durationS); got != tt.want {
				t.Errorf("IsAnswered(%q, %v) = %v, want %v", tt.answeredBy, tt.durationS, got, tt.want)
			}
		})
	}
}
