package httpx

import "testing"

func TestScalar(t *testing.T) {
	tests := []struct{ in, want string }{
		{`"abc"`, "abc"},
		{` 12345 `, "12345"},
		{`1.5e3`, "1.5e3"},
		{`-7`, "-7"},
		{`true`, "true"},
		{`null`, ""},
		{`{"a":1}`, ""},
		{`[1]`, ""},
		{``, ""},
		{`"unterminated`, ""},
		{`12x`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := Scalar([]byte(tt.in)); got != tt.want {
				t.Errorf("Scalar(%s) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
