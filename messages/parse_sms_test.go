package messages

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseSMSReply(t *testing.T) {
	tests := []struct {
		name string
		body []byte
		want SMSReplyReceived
	}{
		{
			name: "fixture stop",
			body: fixture(t, "sms_reply_stop.json"),
			want: SMSReplyReceived{MessageID: "sms_0001", From: "+15555550123", To: "+15555550188",
				Text: "Stop texting me please", ReceivedAt: time.Date(2026, 2, 3, 17, 0, 0, 0, time.UTC)},
		},
		{
			name: "fixture callback",
			body: fixture(t, "sms_reply_callback.json"),
			want: SMSReplyReceived{MessageID: "sms_0002", From: "+15555550125", To: "+15555550188", Text: "yes call me after 3"},
		},
		{
			name: "text field, message_id, no to",
			body: []byte(`{"from":"(555) 555-0123","text":" NO ","message_id":"m-9"}`),
			want: SMSReplyReceived{MessageID: "m-9", From: "+15555550123", Text: "NO"},
		},
		{
			name: "message wins over body and text",
			body: []byte(`{"from":"5555550123","message":"a","body":"b","text":"c","id":17}`),
			want: SMSReplyReceived{MessageID: "17", From: "+15555550123", Text: "a"},
		},
		{
			name: "empty message falls through to body",
			body: []byte(`{"from":"5555550123","message":"","body":"b"}`),
			want: SMSReplyReceived{From: "+15555550123", Text: "b"},
		},
		{
			name: "sms_id wins over message_id",
			body: []byte(`{"from":"5555550123","body":"b","sms_id":"s","message_id":"m","id":"i"}`),
			want: SMSReplyReceived{MessageID: "s", From: "+15555550123", Text: "b"},
		},
		{
			name: "numeric reply text",
			body: []byte(`{"from":"5555550123","body":1}`),
			want: SMSReplyReceived{From: "+15555550123", Text: "1"},
		},
		{
			name: "null to and unparseable timestamp",
			body: []byte(`{"from":"5555550123","to":null,"body":"hi","timestamp":"now"}`),
			want: SMSReplyReceived{From: "+15555550123", Text: "hi"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseSMSReply(tt.body)
			if err != nil {
				t.Fatalf("ParseSMSReply: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("reply mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseSMSReplyErrors(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		wantErr string
	}{
		{"all missing", `{}`, "invalid webhook: from: required; message: required"},
		{"from missing", `{"body":"STOP"}`, "invalid webhook: from: required"},
		{"from invalid", `{"from":"SHORTCODE","body":"STOP"}`, "invalid webhook: from: not a valid phone number"},
		{"from object", `{"from":{"phone":"5555550123"},"body":"STOP"}`, "invalid webhook: from: must be a string"},
		{"to invalid", `{"from":"5555550123","to":"1","body":"STOP"}`, "invalid webhook: to: not a valid phone number"},
		{"text empty", `{"from":"5555550123","body":"   "}`, "invalid webhook: message: required"},
		{"text object", `{"from":"5555550123","message":{"text":"STOP"}}`, "invalid webhook: message: required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseSMSReply([]byte(tt.body))
			if errKind(err) != "invalid_fields" {
				t.Fatalf("error = %v, want a *ValidationError", err)
			}
			if err.Error() != tt.wantErr {
				t.Errorf("error = %q, want %q", err.Error(), tt.wantErr)
			}
			if diff := cmp.Diff(SMSReplyReceived{}, got); diff != "" {
				t.Errorf("a failed parse returned data (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseSMSReplyBadBodies(t *testing.T) {
	for _, tt := range badBodies {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseSMSReply([]byte(tt.body))
			if got := errKind(err); got != tt.kind {
				t.Errorf("error %v classed %q, want %q", err, got, tt.kind)
			}
		})
	}
}
