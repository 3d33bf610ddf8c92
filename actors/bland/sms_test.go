package bland

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/zap/zaptest"

	"orchestrator/actors/internal/httpx/httpxtest"
)

func TestSendSMSRequest(t *testing.T) {
	srv := httpxtest.New(t, httpxtest.Reply{Body: `{"status":"success","message_id":"m-1"}`})
	got, err := New(liveConfig(srv.URL), zaptest.NewLogger(t), nil).
		SendSMS(t.Context(), "+15555550123", "+15555550999", "Hi Jane")
	if err != nil {
		t.Fatal(err)
	}
	if want := (SMSResult{MessageID: "m-1"}); got != want {
		t.Errorf("SendSMS = %+v, want %+v", got, want)
	}
	r := srv.Requests()[0]
	if r.Method != http.MethodPost || r.Path != "/v1/sms/send" || r.Header.Get("Authorization") != "Bearer "+testKey {
		t.Errorf("request = %s %s, Authorization %q", r.Method, r.Path, r.Header.Get("Authorization"))
	}
	want := map[string]any{"phone_number": "+15555550123", "from": "+15555550999", "message": "Hi Jane"}
	if diff := cmp.Diff(want, decode(t, r.Body)); diff != "" {
		t.Errorf("body (-want +got):\n%s", diff)
	}
}

func TestSendSMSAnswers(t *testing.T) {
	tests := []struct {
		name    string
		reply   httpxtest.Reply
		want    string
		wantErr error
	}{
		{"id under data, numeric", httpxtest.Reply{Body: `{"data":{"id":42}}`}, "42", nil},
		{"message_id under data", httpxtest.Reply{Body: `{"data":{"message_id":"m-9"}}`}, "m-9", nil},
		{"no id is still sent", httpxtest.Reply{Body: `{"status":"success"}`}, "", nil},
		{"unreadable 2xx is still sent", httpxtest.Reply{Body: `OK`}, "", nil},
		{"status error", httpxtest.Reply{Body: `{"status":"error"}`}, "", ErrUnexpectedAnswer},
		{"400", httpxtest.Reply{Status: 400, Body: `{"message":"bad"}`}, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httpxtest.New(t, tt.reply)
			got, err := New(liveConfig(srv.URL), zaptest.NewLogger(t), nil).SendSMS(t.Context(), "+15555550123", "", "x")
			if wantFail := tt.wantErr != nil || tt.reply.Status >= 400; wantFail {
				var e *Error
				if !errors.As(err, &e) || e.Retryable || !strings.HasPrefix(err.Error(), "bland: sms: ") {
					t.Fatalf("SendSMS error = %v, want a non-retryable bland: sms: *Error", err)
				}
				if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
					t.Errorf("errors.Is(%v, %v) = false", err, tt.wantErr)
				}
				return
			}
			if err != nil || got.MessageID != tt.want || got.DryRun {
				t.Errorf("SendSMS = %+v, %v; want id %q", got, err, tt.want)
			}
			if srv.Count() != 1 {
				t.Errorf("requests = %d, want 1", srv.Count())
			}
		})
	}
}

func TestSendSMSDryRun(t *testing.T) {
	srv := httpxtest.New(t)
	cfg := liveConfig(srv.URL)
	cfg.Mode = "dry-run"
	got, err := New(cfg, zaptest.NewLogger(t), nil).SendSMS(t.Context(), "+15555550123", "+15555550999", "hi")
	if err != nil || !got.DryRun || !strings.HasPrefix(got.MessageID, "dry-") {
		t.Errorf("dry-run SendSMS = %+v, %v", got, err)
	}
	if n := srv.Count(); n != 0 {
		t.Errorf("dry-run sent %d requests, want 0", n)
	}
}
