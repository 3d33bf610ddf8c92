package messages

import (
	"encoding/json"
	"errors"
	"testing"
)

func TestValidationErrorMessage(t *testing.T) {
	tests := []struct {
		name string
		err  *ValidationError
		want string
	}{
		{"none", &ValidationError{}, "invalid webhook"},
		{"one", &ValidationError{Fields: []FieldError{{"phone_number", "required"}}}, "invalid webhook: phone_number: required"},
		{"two", &ValidationError{Fields: []FieldError{{"phone_number", "required"}, {"lead_id", "required"}}},
			"invalid webhook: phone_number: required; lead_id: required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestBadJSONErrorUnwraps(t *testing.T) {
	tests := []struct {
		name, body string
		wantSyntax bool
	}{
		{"syntax", `{"a":}`, true},
		{"truncated", `{"a":`, false},
		{"empty", ``, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseLead([]byte(tt.body))
			var bad *BadJSONError
			if !errors.As(err, &bad) {
				t.Fatalf("error = %v, want *BadJSONError", err)
			}
			var syn *json.SyntaxError
			if got := errors.As(err, &syn); got != tt.wantSyntax {
				t.Errorf("errors.As(*json.SyntaxError) = %v, want %v (err %v)", got, tt.wantSyntax, err)
			}
		})
	}
}

func TestNotObjectIsSentinel(t *testing.T) {
	for _, body := range []string{`[]`, `"x"`, `null`, `1`, `false`} {
		t.Run(body, func(t *testing.T) {
			_, err := ParseSMSReply([]byte(body))
			if !errors.Is(err, ErrNotObject) {
				t.Errorf("error = %v, want ErrNotObject", err)
			}
		})
	}
}
