package stats

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"orchestrator/messages"
)

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func parse(t *testing.T, body []byte) messages.CallCompleted {
	t.Helper()
	cc, err := messages.ParseCompletion(body)
	if err != nil {
		t.Fatalf("parse %s: %v", body, err)
	}
	return cc
}

// human is a completion a person answered, with the duration fields given
// as raw JSON (call_length in minutes, corrected_duration in seconds).
func human(duration string, extra string) []byte {
	return []byte(`{"call_id":"c1","to":"+15555550123","status":"completed","answered_by":"human",` + duration + extra + `}`)
}

func TestApplyCountsOneCompletion(t *testing.T) {
	file := func(name string) func(t *testing.T) []byte {
		return func(t *testing.T) []byte { return fixture(t, name) }
	}
	raw := func(b []byte) func(t *testing.T) []byte { return func(*testing.T) []byte { return b } }
	tests := []struct {
		name string
		body func(t *testing.T) []byte
		want messages.StatsCounts
	}{
		{"a merged transfer: answered (corrected_duration \"276\" s) and transferred", file("bland_completion_transferred.json"),
			messages.StatsCounts{TotalCalls: 1, CompletedCalls: 1, AnsweredCalls: 1, TransferredCalls: 1}},
		{"voicemail is not answered", file("bland_completion_voicemail.json"),
			messages.StatsCounts{TotalCalls: 1, CompletedCalls: 1, VoicemailCalls: 1}},
		{"no answer", file("bland_completion_no_answer.json"),
			messages.StatsCounts{TotalCalls: 1, CompletedCalls: 1, NoAnswerCalls: 1}},
		{"failed is not completed", file("bland_completion_failed.json"),
			messages.StatsCounts{TotalCalls: 1, FailedCalls: 1}},
		{"call_length is minutes: 0.5 is 30 s, answered", raw(human(`"call_length":0.5`, "")),
			messages.StatsCounts{TotalCalls: 1, CompletedCalls: 1, AnsweredCalls: 1}},
		{"call_length 0.25 is 15 s, under 20 s: not answered", raw(human(`"call_length":0.25`, "")),
			messages.StatsCounts{TotalCalls: 1, CompletedCalls: 1}},
		{"call_length 15 is 15 minutes, answered (the old service read 15 s)", raw(human(`"call_length":15`, "")),
			messages.StatsCounts{TotalCalls: 1, CompletedCalls: 1, AnsweredCalls: 1}},
		{"corrected_duration is seconds and wins: 19 s is not answered", raw(human(`"call_length":5,"corrected_duration":19`, "")),
			messages.StatsCounts{TotalCalls: 1, CompletedCalls: 1}},
		{"corrected_duration \"20\" as a string is exactly answered", raw(human(`"corrected_duration":"20"`, "")),
			messages.StatsCounts{TotalCalls: 1, CompletedCalls: 1, AnsweredCalls: 1}},
		{"busy", raw([]byte(`{"call_id":"c1","to":"+15555550123","status":"busy","answered_by":"busy"}`)),
			messages.StatsCounts{TotalCalls: 1, CompletedCalls: 1, BusyCalls: 1}},
		{"not interested", raw(human(`"corrected_duration":45`, `,"pathway_tags":["Not Interested"]`)),
			messages.StatsCounts{TotalCalls: 1, CompletedCalls: 1, AnsweredCalls: 1, NotInterestedCalls: 1}},
		{"callback requested", raw(human(`"corrected_duration":60`, `,"variables":{"callback_requested":true}`)),
			messages.StatsCounts{TotalCalls: 1, CompletedCalls: 1, AnsweredCalls: 1, CallbackRequestedCalls: 1}},
		{"a transfer merged within 20 s is transferred, not answered",
			raw(human(`"corrected_duration":12`, `,"warm_transfer_call":{"state":"MERGED"}`)),
			messages.StatsCounts{TotalCalls: 1, CompletedCalls: 1, TransferredCalls: 1}},
		{"a transfer not merged is not transferred",
			raw(human(`"corrected_duration":40`, `,"warm_transfer_call":{"state":"FAILED"}`)),
			messages.StatsCounts{TotalCalls: 1, CompletedCalls: 1, AnsweredCalls: 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Apply(messages.StatsCounts{}, parse(t, tc.body(t)))
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("counts (-want +got):\n%s", d)
			}
		})
	}
}

func TestApplyAddsToTheDay(t *testing.T) {
	var day messages.StatsCounts
	for _, name := range []string{"bland_completion_transferred.json", "bland_completion_voicemail.json",
		"bland_completion_no_answer.json", "bland_completion_failed.json"} {
		day = Apply(day, parse(t, fixture(t, name)))
	}
	want := messages.CallStats{
		StatsCounts: messages.StatsCounts{TotalCalls: 4, CompletedCalls: 3, FailedCalls: 1, AnsweredCalls: 1,
			TransferredCalls: 1, VoicemailCalls: 1, NoAnswerCalls: 1},
		TransferRate: 100, ConnectivityRate: 100, SuccessRate: 75,
	}
	if d := cmp.Diff(want, Rates(day)); d != "" {
		t.Errorf("the four fixtures (-want +got):\n%s", d)
	}
}

func TestRates(t *testing.T) {
	tests := []struct {
		name              string
		c                 messages.StatsCounts
		transfer, success float64
	}{
		{"nothing counted: every divisor is 0", messages.StatsCounts{}, 0, 0},
		{"calls but none answered: transfer rate 0", messages.StatsCounts{TotalCalls: 3, CompletedCalls: 3, TransferredCalls: 1}, 0, 100},
		{"one in three rounds down to two decimals", messages.StatsCounts{TotalCalls: 3, CompletedCalls: 1, AnsweredCalls: 3, TransferredCalls: 1}, 33.33, 33.33},
		{"two in three rounds up", messages.StatsCounts{TotalCalls: 3, CompletedCalls: 2, AnsweredCalls: 3, TransferredCalls: 2}, 66.67, 66.67},
		{"one in eight is exact", messages.StatsCounts{TotalCalls: 8, CompletedCalls: 7, AnsweredCalls: 8, TransferredCalls: 1}, 12.5, 87.5},
		{"transfers short of answered can exceed 100", messages.StatsCounts{TotalCalls: 2, CompletedCalls: 2, AnsweredCalls: 1, TransferredCalls: 2}, 200, 100},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Rates(tc.c)
			if got.TransferRate != tc.transfer || got.ConnectivityRate != tc.transfer || got.SuccessRate != tc.success {
				t.Errorf("Rates(%+v) = transfer %v, connectivity %v, success %v; want %v, %v, %v",
					tc.c, got.TransferRate, got.ConnectivityRate, got.SuccessRate, tc.transfer, tc.transfer, tc.success)
			}
			if got.StatsCounts != tc.c {
				t.Errorf("counters changed: %+v", got.StatsCounts)
			}
		})
	}
}
