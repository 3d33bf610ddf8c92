package messages

import "testing"

func TestNormalizePhone(t *testing.T) {
	tests := []struct {
		raw     string
		want    Phone
		wantErr bool
	}{
		{raw: "5555550123", want: "+15555550123"},
		{raw: "(555) 555-0123", want: "+15555550123"},
		{raw: "555.555.0123", want: "+15555550123"},
		{raw: "555-555-0123", want: "+15555550123"},
		{raw: " 555 555 0123 ", want: "+15555550123"},
		{raw: "15555550123", want: "+15555550123"},
		{raw: "1-555-555-0123", want: "+15555550123"},
		{raw: "1 (555) 555-0123", want: "+15555550123"},
		{raw: "+15555550123", want: "+15555550123"},
		{raw: "+1 (555) 555-0123", want: "+15555550123"},
		{raw: "+1.555.555.0123", want: "+15555550123"},
		{raw: "+447700900123", want: "+447700900123"},
		{raw: "+44 7700 900123", want: "+447700900123"},
		{raw: "+12345678", want: "+12345678"},
		{raw: "+123456789012345", want: "+123456789012345"},
		{raw: "\t5555550123", want: "+15555550123"},
		{raw: "", wantErr: true},
		{raw: "   ", wantErr: true},
		{raw: "+", wantErr: true},
		{raw: "+1234567", wantErr: true},
		{raw: "+1234567890123456", wantErr: true},
		{raw: "555550123", wantErr: true},
		{raw: "25555550123", wantErr: true},
		{raw: "555555012345", wantErr: true},
		{raw: "555-CALL-NOW", wantErr: true},
		{raw: "abc", wantErr: true},
		{raw: "5555550123x12", wantErr: true},
		{raw: "++15555550123", wantErr: true},
		{raw: "1+5555550123", wantErr: true},
		{raw: "tel:+15555550123", wantErr: true},
		{raw: "555/555/0123", wantErr: true},
		{raw: "５５５５５５０１２３", wantErr: true}, // full-width digits: no dialler takes them
		{raw: "٥٥٥٥٥٥٠١٢٣", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			got, err := NormalizePhone(tt.raw)
			if (err != nil) != tt.wantErr {
				t.Fatalf("NormalizePhone(%q) error = %v, wantErr %v", tt.raw, err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("NormalizePhone(%q) = %q, want %q", tt.raw, got, tt.want)
			}
			if err == nil {
				again, err := NormalizePhone(string(got))
				if err != nil || again != got {
					t.Errorf("not idempotent: NormalizePhone(%q) = %q, %v", got, again, err)
				}
			}
		})
	}
}

func TestPhoneMasked(t *testing.T) {
	tests := []struct {
		phone Phone
		want  string
	}{
		{"+15555550123", "+1******0123"},
		{"+447700900123", "+********0123"},
		{"+12345678", "+****5678"},
		{"+123456789012345", "+***********2345"},
		{"", ""},
		{"+", "+"},
		{"+123", "+***"},
		{"1234", "****"},
		{"5555550123", "******0123"},
	}
	for _, tt := range tests {
		t.Run(string(tt.phone), func(t *testing.T) {
			if got := tt.phone.Masked(); got != tt.want {
				t.Errorf("Phone(%q).Masked() = %q, want %q", tt.phone, got, tt.want)
			}
		})
	}
}
