package messages

import "testing"

func TestParseOutcome(t *testing.T) {
	tests := []struct {
		in      string
		want    Outcome
		wantErr bool
	}{
		{in: "TRANSFERRED", want: OutcomeTransferred},
		{in: "voicemail", want: OutcomeVoicemail},
		{in: " Callback ", want: OutcomeCallback},
		{in: "SALE", want: OutcomeSale},
		{in: "CONFUSED", want: OutcomeConfused},
		{in: "NOT_INTERESTED", want: OutcomeNotInterested},
		{in: "not interested", want: OutcomeNotInterested},
		{in: "NO_ANSWER", want: OutcomeNoAnswer},
		{in: "no-answer", want: OutcomeNoAnswer},
		{in: "BUSY", want: OutcomeBusy},
		{in: "FAILED", want: OutcomeFailed},
		{in: "DNC", want: OutcomeDNC},
		{in: "", wantErr: true},
		{in: "ANSWERED", wantErr: true},
		{in: "NOANSWER", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseOutcome(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ParseOutcome(%q) error = %v, wantErr %v", tt.in, err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("ParseOutcome(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestOutcomeCRMStatus(t *testing.T) {
	tests := []struct {
		o    Outcome
		want string
	}{
		{OutcomeTransferred, "ACA"},
		{OutcomeVoicemail, "A"},
		{OutcomeCallback, "CB"},
		{OutcomeSale, "SALE"},
		{OutcomeNotInterested, "NI"},
		{OutcomeNoAnswer, "NA"},
		{OutcomeBusy, "B"},
		{OutcomeFailed, "N"},
		{OutcomeConfused, "CD"},
		{OutcomeDNC, "DNC"},
		{"", ""},
		{"voicemail", ""},
	}
	for _, tt := range tests {
		t.Run(string(tt.o), func(t *testing.T) {
			if got := tt.o.CRMStatus(); got != tt.want {
				t.Errorf("%q.CRMStatus() = %q, want %q", tt.o, got, tt.want)
			}
		})
	}
}
