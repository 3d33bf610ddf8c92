package messages

import (
	"fmt"
	"os"
	"reflect"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseCompletionFixtures(t *testing.T) {
	tests := []struct {
		file string
		want CallCompleted
	}{
		{
			file: "bland_completion_voicemail.json",
			want: CallCompleted{
				CallID: "8a7b6c5d-1111-4e2f-9a3b-000000000002", Phone: "+15555550123", From: "+15555550188",
				LeadID: "900123", ListID: "4242", Outcome: OutcomeVoicemail, DurationS: 33,
				AnsweredBy: "voicemail", Status: "completed",
				Summary:    "Reached voicemail; left the standard message.",
				Transcript: "assistant: Hi Jane, this is a quick call about your health plan quote, please call us back.",
				Tags:       []string{"Voicemail"},
				Variables:  map[string]string{"lead_id": "900123", "list_id": "4242", "first_name": "Jane", "last_name": "Testlead"},
			},
		},
		{
			file: "bland_completion_transferred.json",
			want: CallCompleted{
				CallID: "3f1c2a9e-0b7d-4c61-9e2f-5a1b7c9d0e11", Phone: "+15555550123", From: "+15555550188",
				LeadID: "900123", ListID: "4242", Outcome: OutcomeTransferred, DurationS: 276,
				AnsweredBy: "human", Status: "completed", Answered: true, Transferred: true,
				Summary:    "Caller confirmed identity, family plan for 3, zip 33401; transferred to a licensed agent.",
				Transcript: "assistant: Hi, is this Jane? user: Yes, speaking. assistant: I am calling about the health plan quote you asked for. user: Sure, go ahead.",
				Tags:       []string{"Identity Confirmation", "Plan Type", "Transferred to Agent"},
				Variables: map[string]string{
					"first_name": "Jane", "last_name": "Testlead", "lead_id": "900123", "list_id": "4242",
					"plan_type": "Family", "member_count": "3", "postal_code": "33401", "customer_state": "FL",
					"customer_age": "41", "callback_requested": "false",
				},
			},
		},
		{
			file: "bland_completion_no_answer.json",
			want: CallCompleted{
				CallID: "8a7b6c5d-1111-4e2f-9a3b-000000000004", Phone: "+15555550125", From: "+15555550188",
				LeadID: "900125", ListID: "4242", Outcome: OutcomeNoAnswer, DurationS: 24,
				AnsweredBy: "no-answer", Status: "no-answer",
				Variables: map[string]string{"lead_id": "900125", "list_id": "4242"},
			},
		},
		{
			file: "bland_completion_failed.json",
			want: CallCompleted{
				CallID: "8a7b6c5d-1111-4e2f-9a3b-000000000003", Phone: "+15555550124", From: "+15555550188",
				LeadID: "900124", ListID: "4242", Outcome: OutcomeFailed, DurationS: 0,
				Status: "failed", ErrorMessage: "The number you dialled is not in service.",
				Variables: map[string]string{"lead_id": "900124", "list_id": "4242"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, err := ParseCompletion(fixture(t, tt.file))
			if err != nil {
				t.Fatalf("ParseCompletion: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("completion mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// completion builds a minimal valid completion body with extra fields appended.
func completion(extra string) []byte {
	body := `{"call_id":"c1","to":"+15555550123"`
	if extra != "" {
		body += "," + extra
	}
	return []byte(body + "}")
}

func TestParseCompletionDuration(t *testing.T) {
	tests := []struct {
		name  string
		extra string
		want  float64
	}{
		{"none", ``, 0},
		{"call_length minutes", `"call_length":4.6`, 276},
		{"call_length 0.55 min rounds to 33 s", `"call_length":0.55`, 33},
		{"call_length as string", `"call_length":"1.5"`, 90},
		{"corrected_duration number wins", `"call_length":4.6,"corrected_duration":275`, 275},
		{"corrected_duration string wins", `"call_length":4.6,"corrected_duration":"276"`, 276},
		{"corrected_duration fractional string", `"corrected_duration":" 33.5 "`, 33.5},
		{"corrected_duration zero is valid", `"call_length":4.6,"corrected_duration":0`, 0},
		{"corrected_duration garbage falls back", `"call_length":1,"corrected_duration":"abc"`, 60},
		{"corrected_duration empty falls back", `"call_length":1,"corrected_duration":""`, 60},
		{"corrected_duration negative falls back", `"call_length":1,"corrected_duration":-5`, 60},
		{"corrected_duration NaN falls back", `"call_length":1,"corrected_duration":"NaN"`, 60},
		{"corrected_duration Inf falls back", `"call_length":1,"corrected_duration":"Inf"`, 60},
		{"corrected_duration null falls back", `"call_length":1,"corrected_duration":null`, 60},
		{"corrected_duration object falls back", `"call_length":1,"corrected_duration":{}`, 60},
		{"negative call_length", `"call_length":-1`, 0},
		{"call_length overflows to Inf", `"call_length":1e308`, 0},
		{"call_length bool", `"call_length":true`, 0},
		{"huge corrected_duration stays finite", `"corrected_duration":1e300`, 1e300},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseCompletion(completion(tt.extra))
			if err != nil {
				t.Fatalf("ParseCompletion: %v", err)
			}
			if got.DurationS != tt.want {
				t.Errorf("DurationS = %v, want %v", got.DurationS, tt.want)
			}
		})
	}
}

func TestParseCompletionFields(t *testing.T) {
	tests := []struct {
		name  string
		extra string
		want  CallCompleted
	}{
		{
			name:  "tags in every shape",
			extra: `"pathway_tags":["A",{"name":"B","color":"#fff"},null,{"color":"#000"},{"name":7},"  ",3,{"name":" C "}]`,
			want:  CallCompleted{Tags: []string{"A", "B", "C"}},
		},
		{
			name:  "tags as a lone string",
			extra: `"pathway_tags":"Callback","corrected_duration":40`,
			want:  CallCompleted{Tags: []string{"Callback"}, DurationS: 40, Outcome: OutcomeCallback},
		},
		{
			name:  "tags null",
			extra: `"pathway_tags":null`,
		},
		{
			name:  "variables of mixed scalars",
			extra: `"variables":{"a":"x","n":3,"f":1.5,"big":1e21,"t":true,"f2":false,"nil":null,"obj":{"k":1},"arr":[1]}`,
			want:  CallCompleted{Variables: map[string]string{"a": "x", "n": "3", "f": "1.5", "big": "1000000000000000000000", "t": "true", "f2": "false"}},
		},
		{
			name:  "lead and list ids as numbers in variables",
			extra: `"variables":{"lead_id":900123,"list_id":4242}`,
			want:  CallCompleted{LeadID: "900123", ListID: "4242", Variables: map[string]string{"lead_id": "900123", "list_id": "4242"}},
		},
		{
			name:  "variables not an object",
			extra: `"variables":"lead_id=1"`,
		},
		{
			name:  "callback_requested bool",
			extra: `"answered_by":"human","corrected_duration":40,"variables":{"callback_requested":true}`,
			want: CallCompleted{AnsweredBy: "human", DurationS: 40, Answered: true, Outcome: OutcomeCallback,
				Variables: map[string]string{"callback_requested": "true"}},
		},
		{
			name:  "callback_requested string",
			extra: `"answered_by":"human","corrected_duration":40,"variables":{"callback_requested":"TRUE"}`,
			want: CallCompleted{AnsweredBy: "human", DurationS: 40, Answered: true, Outcome: OutcomeCallback,
				Variables: map[string]string{"callback_requested": "TRUE"}},
		},
		{
			name:  "warm transfer not merged",
			extra: `"answered_by":"human","corrected_duration":40,"warm_transfer_call":{"state":"DIALING"}`,
			want:  CallCompleted{AnsweredBy: "human", DurationS: 40, Answered: true, Outcome: OutcomeConfused},
		},
		{
			name:  "warm transfer merged lower case",
			extra: `"answered_by":"human","corrected_duration":40,"warm_transfer_call":{"state":"merged"}`,
			want:  CallCompleted{AnsweredBy: "human", DurationS: 40, Answered: true, Transferred: true, Outcome: OutcomeTransferred},
		},
		{
			name:  "warm transfer of the wrong type",
			extra: `"answered_by":"human","corrected_duration":40,"warm_transfer_call":"MERGED"`,
			want:  CallCompleted{AnsweredBy: "human", DurationS: 40, Answered: true, Outcome: OutcomeConfused},
		},
		{
			name:  "transcript fallback, completed_at, inbound",
			extra: `"answered_by":null,"corrected_duration":12,"transcript":"hello","end_at":"2026-02-03T11:21:07.5-05:00","inbound":true`,
			want: CallCompleted{DurationS: 12, Transcript: "hello", Outcome: OutcomeConfused, Inbound: true,
				CompletedAt: time.Date(2026, 2, 3, 16, 21, 7, 500_000_000, time.UTC)},
		},
		{
			name:  "bad timestamp and wrong-typed texts are ignored",
			extra: `"completed_at":"yesterday","summary":{"x":1},"status":["failed"],"inbound":"yes","corrected_duration":10`,
			want:  CallCompleted{DurationS: 10, Outcome: OutcomeConfused},
		},
		{
			name:  "from absent, null or empty",
			extra: `"from":""`,
			want:  CallCompleted{Outcome: OutcomeNoAnswer},
		},
		{
			name:  "from normalised",
			extra: `"from":"(555) 555-0188"`,
			want:  CallCompleted{From: "+15555550188", Outcome: OutcomeNoAnswer},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseCompletion(completion(tt.extra))
			if err != nil {
				t.Fatalf("ParseCompletion: %v", err)
			}
			want := tt.want
			want.CallID, want.Phone = "c1", "+15555550123"
			if want.Outcome == "" {
				want.Outcome = OutcomeNoAnswer // nothing else said, zero duration
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("completion mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseCompletionErrors(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		wantErr string
	}{
		{"all missing", `{}`, "invalid webhook: call_id: required; to: required"},
		{"call_id empty", `{"call_id":" ","to":"+15555550123"}`, "invalid webhook: call_id: required"},
		{"call_id number", `{"call_id":42,"to":"+15555550123"}`, "invalid webhook: call_id: must be a string"},
		{"call_id object", `{"call_id":{},"to":"+15555550123"}`, "invalid webhook: call_id: must be a string"},
		{"to missing", `{"call_id":"c1","from":"+15555550188"}`, "invalid webhook: to: required"},
		{"to invalid", `{"call_id":"c1","to":"12"}`, "invalid webhook: to: not a valid phone number"},
		{"to array", `{"call_id":"c1","to":["+15555550123"]}`, "invalid webhook: to: must be a string"},
		{"from invalid", `{"call_id":"c1","to":"+15555550123","from":"anonymous"}`, "invalid webhook: from: not a valid phone number"},
		{"from bool", `{"call_id":"c1","to":"+15555550123","from":false}`, "invalid webhook: from: must be a string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseCompletion([]byte(tt.body))
			if errKind(err) != "invalid_fields" {
				t.Fatalf("error = %v, want a *ValidationError", err)
			}
			if err.Error() != tt.wantErr {
				t.Errorf("error = %q, want %q", err.Error(), tt.wantErr)
			}
			if diff := cmp.Diff(CallCompleted{}, got); diff != "" {
				t.Errorf("a failed parse returned data (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseCompletionBadBodies(t *testing.T) {
	for _, tt := range badBodies {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseCompletion([]byte(tt.body))
			if got := errKind(err); got != tt.kind {
				t.Errorf("error %v classed %q, want %q", err, got, tt.kind)
			}
		})
	}
}

// The gateway's head parse must accept and refuse exactly what the full
// parse does, with the same ids, phones, status and variables.
func TestParseCompletionHeadAgreesWithParseCompletion(t *testing.T) {
	bodies := []string{
		`{"call_id":"c1","to":"(555) 555-0123","from":"+15555550188","status":"Completed","variables":{"lead_id":7,"list_id":"9"},"concatenated_transcript":"user: hi\nassistant: bye"}`,
		`{"call_id":"c1","to":"555"}`,
		`{"to":"+15555550123"}`,
		`{"call_id":"c1","to":"+15555550123","transcript":"bad \x escape"}`,
		`{"call_id":"c1","to":"+15555550123","pathway_tags":[{"name":"x"}]} trailing`,
		`{"call_id":"c1","to":"+15555550123","from":"12"}`,
		`[1,2]`,
		``,
	}
	for _, name := range []string{"bland_completion_voicemail.json", "bland_completion_transferred.json", "bland_completion_failed.json"} {
		raw, err := os.ReadFile("testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		bodies = append(bodies, string(raw))
	}
	for _, body := range bodies {
		full, ferr := ParseCompletion([]byte(body))
		head, herr := ParseCompletionHead([]byte(body))
		if fmt.Sprint(ferr) != fmt.Sprint(herr) {
			t.Errorf("%q: head error %v, full error %v", body, herr, ferr)
			continue
		}
		if ferr != nil {
			continue
		}
		if head.CallID != full.CallID || head.Phone != full.Phone || head.From != full.From || head.Status != full.Status ||
			head.LeadID != full.LeadID || head.ListID != full.ListID || !reflect.DeepEqual(head.Variables, full.Variables) {
			t.Errorf("%q: head %+v, full %+v", body, head, full)
		}
		if head.Transcript != "" {
			t.Errorf("%q: the head parse copied the transcript", body)
		}
	}
}
