package messages

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestReplyActions(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		{"STOP", []string{"blocklist", "sms_opted_out", "redial_completed", "crm_dnc"}},
		{"Yes please call", []string{"callback_scheduled", "crm_cb"}},
		{"no thanks", []string{"sms_cancelled", "crm_ni"}},
		{"Who is this?", []string{}},
	}
	for _, tt := range tests {
		if got := ReplyActions(ClassifyReply(tt.text)); !cmp.Equal(got, tt.want) {
			t.Errorf("ReplyActions(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}
