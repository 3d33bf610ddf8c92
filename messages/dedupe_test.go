package messages

import "testing"

func TestCompletionDedupeKey(t *testing.T) {
	tests := []struct {
		name string
		c    CallCompleted
		want string
	}{
		{"status lower-cased", CallCompleted{CallID: "abc", Status: "Completed"}, "bland-callback:abc:completed"},
		{"no-answer", CallCompleted{CallID: "abc", Status: "no-answer"}, "bland-callback:abc:no-answer"},
		{"no status", CallCompleted{CallID: "abc"}, "bland-callback:abc:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CompletionDedupeKey(tt.c); got != tt.want {
				t.Errorf("CompletionDedupeKey = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCompletionDedupeKeyFixture(t *testing.T) {
	c, err := ParseCompletion(fixture(t, "bland_completion_transferred.json"))
	if err != nil {
		t.Fatalf("ParseCompletion: %v", err)
	}
	want := "bland-callback:3f1c2a9e-0b7d-4c61-9e2f-5a1b7c9d0e11:completed"
	if got := CompletionDedupeKey(c); got != want {
		t.Errorf("CompletionDedupeKey = %q, want %q", got, want)
	}
}

func TestSMSDedupeKey(t *testing.T) {
	tests := []struct {
		name string
		r    SMSReplyReceived
		body string
		want string
	}{
		{"message id", SMSReplyReceived{MessageID: "sms_0001"}, `{"x":1}`, "sms-reply:sms_0001"},
		// sha256 of `{}`.
		{"body hash", SMSReplyReceived{}, `{}`, "sms-reply:sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := SMSDedupeKey(tt.r, []byte(tt.body)); got != tt.want {
				t.Errorf("SMSDedupeKey = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestBodyDedupeKey(t *testing.T) {
	tests := []struct {
		source string
		body   string
		want   string
	}{
		{SourceLead, ``, "awhealth-outbound:sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
		{SourceCallBack, `{}`, "call-back:sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"},
	}
	for _, tt := range tests {
		t.Run(tt.source, func(t *testing.T) {
			if got := BodyDedupeKey(tt.source, []byte(tt.body)); got != tt.want {
				t.Errorf("BodyDedupeKey = %q, want %q", got, tt.want)
			}
		})
	}
	// A different body must give a different key: that is the whole point.
	if BodyDedupeKey(SourceLead, []byte(`{"a":1}`)) == BodyDedupeKey(SourceLead, []byte(`{"a":2}`)) {
		t.Error("different bodies share a key")
	}
}
