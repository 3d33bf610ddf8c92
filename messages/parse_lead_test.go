package messages

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseLeadFixtures(t *testing.T) {
	tests := []struct {
		file  string
		parse func([]byte) (Lead, error)
		want  Lead
	}{
		{
			file:  "crm_lead.json",
			parse: ParseLead,
			want: Lead{
				LeadID: "900123", ListID: "4242", Phone: "+15555550123",
				FirstName: "Jane", LastName: "Testlead", State: "FL", Status: "NEW",
				Email: "jane.testlead@example.invalid", Address1: "1 Example Way",
				City: "Sampletown", PostalCode: "33401", DateOfBirth: "1984-07-04", Age: "41",
			},
		},
		{
			file:  "crm_call_back.json",
			parse: ParseCallBack,
			want: Lead{
				LeadID: "900126", ListID: "4242", Phone: "+15555550126",
				FirstName: "Sam", LastName: "Example", Status: "CB", State: "TX",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, err := tt.parse(fixture(t, tt.file))
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("lead mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseLead(t *testing.T) {
	tests := []struct {
		name string
		body string
		want Lead
	}{
		{
			name: "ids as numbers",
			body: `{"phone_number":"5555550123","lead_id":900123,"list_id":4242}`,
			want: Lead{LeadID: "900123", ListID: "4242", Phone: "+15555550123"},
		},
		{
			name: "ids with exponent and fraction",
			body: `{"phone_number":"5555550123","lead_id":9.00123e5,"list_id":4242.0}`,
			want: Lead{LeadID: "900123", ListID: "4242", Phone: "+15555550123"},
		},
		{
			name: "id longer than float64 precision kept verbatim",
			body: `{"phone_number":"5555550123","lead_id":123456789012345678901,"list_id":"1"}`,
			want: Lead{LeadID: "123456789012345678901", ListID: "1", Phone: "+15555550123"},
		},
		{
			name: "phone as a number",
			body: `{"phone_number":15555550123,"lead_id":"1","list_id":"2"}`,
			want: Lead{LeadID: "1", ListID: "2", Phone: "+15555550123"},
		},
		{
			name: "formatted phone with country code, padded ids",
			body: `{"phone_number":"+1 (555) 555-0123","lead_id":" 7 ","list_id":"2"}`,
			want: Lead{LeadID: "7", ListID: "2", Phone: "+15555550123"},
		},
		{
			name: "scalars of other types and extras",
			body: `{"phone_number":"5555550123","lead_id":"1","list_id":"2","age":41,"postal_code":33401,
				"vendor_lead_code":"V-9","called_count":3,"opt_in":true,"score":1e2,
				"nested":{"a":1},"list":[1,2],"nothing":null,"first_name":null}`,
			want: Lead{
				LeadID: "1", ListID: "2", Phone: "+15555550123", Age: "41", PostalCode: "33401",
				Extra: map[string]string{"vendor_lead_code": "V-9", "called_count": "3", "opt_in": "true", "score": "100"},
			},
		},
		{
			name: "known field with a nested value is ignored, not fatal",
			body: `{"phone_number":"5555550123","lead_id":"1","list_id":"2","email":{"primary":"x"}}`,
			want: Lead{LeadID: "1", ListID: "2", Phone: "+15555550123"},
		},
		{
			name: "duplicate key: last wins",
			body: `{"phone_number":"bad","phone_number":"5555550123","lead_id":"1","list_id":"2"}`,
			want: Lead{LeadID: "1", ListID: "2", Phone: "+15555550123"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, parse := range []func([]byte) (Lead, error){ParseLead, ParseCallBack} {
				got, err := parse([]byte(tt.body))
				if err != nil {
					t.Fatalf("parse: %v", err)
				}
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("lead mismatch (-want +got):\n%s", diff)
				}
			}
		})
	}
}

func TestParseLeadErrors(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		wantErr string
	}{
		{"all missing", `{}`, "invalid webhook: phone_number: required; lead_id: required; list_id: required"},
		{"phone missing", `{"lead_id":"1","list_id":"2"}`, "invalid webhook: phone_number: required"},
		{"phone null", `{"phone_number":null,"lead_id":"1","list_id":"2"}`, "invalid webhook: phone_number: required"},
		{"phone empty", `{"phone_number":"  ","lead_id":"1","list_id":"2"}`, "invalid webhook: phone_number: required"},
		{"phone object", `{"phone_number":{"n":"5555550123"},"lead_id":"1","list_id":"2"}`, "invalid webhook: phone_number: must be a string"},
		{"phone array", `{"phone_number":["5555550123"],"lead_id":"1","list_id":"2"}`, "invalid webhook: phone_number: must be a string"},
		{"phone bool", `{"phone_number":true,"lead_id":"1","list_id":"2"}`, "invalid webhook: phone_number: must be a string"},
		{"phone float", `{"phone_number":5555550123.5,"lead_id":"1","list_id":"2"}`, "invalid webhook: phone_number: not a valid phone number"},
		{"phone negative number", `{"phone_number":-5555550123,"lead_id":"1","list_id":"2"}`, "invalid webhook: phone_number: not a valid phone number"},
		{"phone too short", `{"phone_number":"555-0123","lead_id":"1","list_id":"2"}`, "invalid webhook: phone_number: not a valid phone number"},
		{"phone letters", `{"phone_number":"555-CALL-NOW","lead_id":"1","list_id":"2"}`, "invalid webhook: phone_number: not a valid phone number"},
		{"lead_id empty", `{"phone_number":"5555550123","lead_id":"","list_id":"2"}`, "invalid webhook: lead_id: required"},
		{"lead_id bool", `{"phone_number":"5555550123","lead_id":false,"list_id":"2"}`, "invalid webhook: lead_id: must be a string or a number"},
		{"list_id object", `{"phone_number":"5555550123","lead_id":"1","list_id":{}}`, "invalid webhook: list_id: must be a string or a number"},
		{"list_id array", `{"phone_number":"5555550123","lead_id":"1","list_id":[2]}`, "invalid webhook: list_id: must be a string or a number"},
		{"list_id out of range", `{"phone_number":"5555550123","lead_id":"1","list_id":1e400}`, "invalid webhook: list_id: must be a finite number"},
		{"every field wrong", `{"phone_number":[],"lead_id":null,"list_id":true}`, "invalid webhook: phone_number: must be a string; lead_id: required; list_id: must be a string or a number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, parse := range []func([]byte) (Lead, error){ParseLead, ParseCallBack} {
				got, err := parse([]byte(tt.body))
				if errKind(err) != "invalid_fields" {
					t.Fatalf("error = %v, want a *ValidationError", err)
				}
				if err.Error() != tt.wantErr {
					t.Errorf("error = %q, want %q", err.Error(), tt.wantErr)
				}
				if diff := cmp.Diff(Lead{}, got); diff != "" {
					t.Errorf("a failed parse returned data (-want +got):\n%s", diff)
				}
			}
		})
	}
}

func TestParseLeadBadBodies(t *testing.T) {
	for _, tt := range badBodies {
		t.Run(tt.name, func(t *testing.T) {
			for _, parse := range []func([]byte) (Lead, error){ParseLead, ParseCallBack} {
				_, err := parse([]byte(tt.body))
				if got := errKind(err); got != tt.kind {
					t.Errorf("error %v classed %q, want %q", err, got, tt.kind)
				}
			}
		})
	}
}

func TestParseLeadNumberRendering(t *testing.T) {
	tests := []struct{ in, want string }{
		{"0", "0"},
		{"-0", "-0"},
		{"42", "42"},
		{"1e3", "1000"},
		{"1E+3", "1000"},
		{"1.50", "1.5"},
		{"12345678901234567890", "12345678901234567890"},
		{"1e20", "100000000000000000000"},
		{"2.5e-3", "0.0025"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			body := `{"phone_number":"5555550123","list_id":"1","lead_id":` + tt.in + `}`
			got, err := ParseLead([]byte(body))
			if err != nil {
				t.Fatalf("ParseLead: %v", err)
			}
			if got.LeadID != tt.want {
				t.Errorf("lead_id %s rendered %q, want %q", tt.in, got.LeadID, tt.want)
			}
			if strings.ContainsAny(got.LeadID, "eE") {
				t.Errorf("lead_id %q has an exponent", got.LeadID)
			}
		})
	}
}
