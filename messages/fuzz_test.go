package messages

import (
	"math"
	"strings"
	"testing"
)

// seedBodies adds every fixture and the shared bad bodies to a fuzz corpus, plus extras.
func seedBodies(f *testing.F, fixtures []string, extra ...string) {
	f.Helper()
	for _, name := range fixtures {
		f.Add(fixture(f, name))
	}
	for _, b := range badBodies {
		f.Add([]byte(b.body))
	}
	for _, e := range extra {
		f.Add([]byte(e))
	}
}

// allFixtures lets each parser's fuzzer start from the other webhooks' shapes too.
var allFixtures = []string{
	"crm_lead.json", "crm_call_back.json",
	"bland_completion_voicemail.json", "bland_completion_transferred.json",
	"bland_completion_no_answer.json", "bland_completion_failed.json",
	"sms_reply_stop.json", "sms_reply_callback.json",
}

// checkErr asserts that a parser error is one the gateway knows how to answer.
func checkErr(t *testing.T, err error) {
	t.Helper()
	kind := errKind(err)
	if strings.HasPrefix(kind, "unexpected") {
		t.Fatalf("error of an unknown class: %v", err)
	}
	if kind == "invalid_fields" && !strings.Contains(err.Error(), ": ") {
		t.Fatalf("validation error names no field: %v", err)
	}
}

// checkPhone asserts the E.164 shape and that normalising again changes nothing.
func checkPhone(t *testing.T, field string, p Phone, required bool) {
	t.Helper()
	if p == "" && !required {
		return
	}
	if !e164.MatchString(string(p)) {
		t.Fatalf("%s %q is not E.164", field, p)
	}
	if again, err := NormalizePhone(string(p)); err != nil || again != p {
		t.Fatalf("%s %q does not normalise to itself: %q, %v", field, p, again, err)
	}
}

func fuzzLead(f *testing.F, parse func([]byte) (Lead, error)) {
	seedBodies(f, allFixtures,
		`{"phone_number":15555550123,"lead_id":1e3,"list_id":-0}`,
		`{"phone_number":"+1 (555) 555-0123","lead_id":"x","list_id":"y","extra":{"a":[1]}}`,
		`{"phone_number":"5555550123","lead_id":1e400,"list_id":"1"}`,
		`{"phone_number":"5555550123","lead_id":"1","list_id":"1","age":1.5e-7}`,
	)
	f.Fuzz(func(t *testing.T, body []byte) {
		l, err := parse(body)
		if err != nil {
			checkErr(t, err)
			return
		}
		checkPhone(t, "phone", l.Phone, true)
		if l.LeadID == "" || l.ListID == "" {
			t.Fatalf("ids missing after a successful parse: %+v", l)
		}
		for _, id := range []string{l.LeadID, l.ListID} {
			if id != strings.TrimSpace(id) {
				t.Fatalf("id %q keeps surrounding space", id)
			}
		}
	})
}

func FuzzParseLead(f *testing.F) { fuzzLead(f, ParseLead) }

func FuzzParseCallBack(f *testing.F) { fuzzLead(f, ParseCallBack) }

func FuzzParseCompletion(f *testing.F) {
	seedBodies(f, allFixtures,
		`{"call_id":"c","to":"5555550123","call_length":1e308}`,
		`{"call_id":"c","to":"5555550123","corrected_duration":"-Inf","call_length":"NaN"}`,
		`{"call_id":"c","to":"5555550123","pathway_tags":[null,{"name":null},{"name":"Voicemail"},7]}`,
		`{"call_id":"c","to":"5555550123","answered_by":"human","corrected_duration":"20","warm_transfer_call":{"state":"MERGED"}}`,
		`{"call_id":"c","to":"5555550123","variables":{"callback_requested":"true","lead_id":1e2}}`,
		`{"call_id":"c","to":"5555550123","status":"busy","from":"+447700900123"}`,
	)
	f.Fuzz(func(t *testing.T, body []byte) {
		c, err := ParseCompletion(body)
		if err != nil {
			checkErr(t, err)
			return
		}
		checkPhone(t, "to", c.Phone, true)
		checkPhone(t, "from", c.From, false)
		if c.CallID == "" {
			t.Fatal("empty call_id after a successful parse")
		}
		if c.DurationS < 0 || math.IsInf(c.DurationS, 0) || math.IsNaN(c.DurationS) {
			t.Fatalf("duration %v is not a finite non-negative number", c.DurationS)
		}
		if _, err := ParseOutcome(string(c.Outcome)); err != nil || c.Outcome == OutcomeSale || c.Outcome == OutcomeDNC {
			t.Fatalf("outcome %q is not a call outcome", c.Outcome)
		}
		if c.Transferred != (c.Outcome == OutcomeTransferred) {
			t.Fatalf("transferred %v disagrees with outcome %q", c.Transferred, c.Outcome)
		}
		if c.Answered && (c.DurationS < answeredMinS || !strings.EqualFold(c.AnsweredBy, "human")) {
			t.Fatalf("answered with answered_by %q and %v s", c.AnsweredBy, c.DurationS)
		}
		if !strings.HasPrefix(CompletionDedupeKey(c), SourceCompletion+":"+c.CallID+":") {
			t.Fatalf("dedupe key %q", CompletionDedupeKey(c))
		}
	})
}

func FuzzParseSMSReply(f *testing.F) {
	seedBodies(f, allFixtures,
		`{"from":"5555550123","body":"STOP"}`,
		`{"from":"5555550123","text":"yes","id":1e21}`,
		`{"from":"5555550123","to":"","message":"   ","body":"no"}`,
	)
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := ParseSMSReply(body)
		if err != nil {
			checkErr(t, err)
			return
		}
		checkPhone(t, "from", r.From, true)
		checkPhone(t, "to", r.To, false)
		if strings.TrimSpace(r.Text) == "" {
			t.Fatal("empty text after a successful parse")
		}
		if key := SMSDedupeKey(r, body); !strings.HasPrefix(key, SourceSMSReply+":") {
			t.Fatalf("dedupe key %q", key)
		}
	})
}

func FuzzNormalizePhone(f *testing.F) {
	for _, s := range []string{
		"5555550123", "(555) 555-0123", "555.555.0123", "15555550123", "1-555-555-0123",
		"+15555550123", "+1 (555) 555-0123", "+447700900123", "+12345678", "+123456789012345",
		"", "+", "++1", "abc", "555-CALL-NOW", "５５５５５５０１２３", "1234567890123456", "\x00",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		p, err := NormalizePhone(raw)
		masked := p.Masked() // must not panic on any value, valid or not
		if err != nil {
			if p != "" {
				t.Fatalf("error %v with a value %q", err, p)
			}
			return
		}
		checkPhone(t, "phone", p, true)
		if len(masked) != len(p) || masked[len(masked)-4:] != string(p[len(p)-4:]) {
			t.Fatalf("Masked(%q) = %q", p, masked)
		}
		if strings.Count(masked, "*") < len(p)-6 {
			t.Fatalf("Masked(%q) = %q shows too much", p, masked)
		}
	})
}

func FuzzClassifyReply(f *testing.F) {
	for _, s := range []string{
		"STOP", "stop texting me", "Stop texting me please", "yes call me after 3", "Yes please call",
		"no thanks", "NOT INTERESTED", "Who is this?", "end of day call me", "END", "STOP!!",
		"take me off your list", "don’t call", "", "\xff", "no, call me", "Y", "N",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		got := ClassifyReply(text)
		switch got {
		case ReplyOptOut, ReplyCallback, ReplyNegative, ReplyOther:
		default:
			t.Fatalf("ClassifyReply(%q) = %q, not a kind", text, got)
		}
		if again := ClassifyReply(text); again != got {
			t.Fatalf("ClassifyReply(%q) not deterministic: %q then %q", text, got, again)
		}
		if isASCII(text) {
			if lower := ClassifyReply(strings.ToLower(text)); lower != got {
				t.Fatalf("ClassifyReply is case-sensitive: %q → %q, lower → %q", text, got, lower)
			}
		}
		// Shouting STOP after anything must always opt out.
		if opt := ClassifyReply(text + ". STOP"); opt != ReplyOptOut {
			t.Fatalf("ClassifyReply(%q + \". STOP\") = %q", text, opt)
		}
	})
}

// isASCII reports whether s has only ASCII bytes, where upper and lower case round-trip.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
