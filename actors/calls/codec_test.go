package calls

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"orchestrator/messages"
)

func TestStoredCallsAndPhonesRoundTrip(t *testing.T) {
	at := time.Date(2026, 3, 2, 15, 4, 5, 6, time.UTC)
	cl := &call{Intent: "i42", CallID: "c-42", Kind: messages.DialRedial, Lead: leadRef{LeadID: "L1", ListID: "4242"},
		Phone: "+15555550123", From: "+15555550188", State: stateDone, RequestedAt: stampOf(at),
		DialledAt: stampOf(at.Add(time.Second)), EndedAt: stampOf(at.Add(time.Minute)), Outcome: messages.OutcomeVoicemail,
		Error: "", CompletedSeq: 7, PublishedSeq: 9, LeadSeq: 5}
	got, err := decodeCall(cl.encode(), interned{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(cl, got); diff != "" {
		t.Errorf("call (-stored +read):\n%s", diff)
	}
	if _, err := decodeCall(cl.encode()[:10], interned{}); err == nil {
		t.Errorf("a truncated call decoded")
	}

	p := &phone{InFlight: "i42", HoldUntil: stampOf(at)}
	p.count("2026-03-01")
	p.count("2026-03-02")
	p.count("2026-03-02")
	gotP, err := decodePhone(p.encode())
	if err != nil {
		t.Fatal(err)
	}
	if *gotP != *p || gotP.attemptsOn("2026-03-02") != 2 || gotP.attemptsOn("2026-03-01") != 1 {
		t.Errorf("phone read back as %+v, want %+v", gotP, p)
	}
}

// State files written before the compact encoding hold JSON, the whole
// lead included: they are read as before.
func TestCallsAndPhonesStoredAsJSONAreRead(t *testing.T) {
	cl, err := decodeCall([]byte(`{"intent":"i7","call_id":"c7","kind":"new_lead","lead":{"lead_id":"L7","list_id":"1",
		"phone":"+15555550123","first_name":"Jane"},"phone":"+15555550123","state":"in_flight",
		"requested_at":"2026-03-02T15:00:00Z","dialled_at":"2026-03-02T15:00:01Z","completed_seq":3}`), interned{})
	if err != nil {
		t.Fatal(err)
	}
	want := &call{Intent: "i7", CallID: "c7", Kind: messages.DialNewLead, Lead: leadRef{LeadID: "L7", ListID: "1"},
		Phone: "+15555550123", State: stateInFlight, RequestedAt: stampOf(time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)),
		DialledAt: stampOf(time.Date(2026, 3, 2, 15, 0, 1, 0, time.UTC)), CompletedSeq: 3}
	if diff := cmp.Diff(want, cl); diff != "" {
		t.Errorf("call (-want +got):\n%s", diff)
	}
	p, err := decodePhone([]byte(`{"in_flight":"i7","attempts":{"2026-02-28":1,"2026-03-01":2,"2026-03-02":3}}`))
	if err != nil {
		t.Fatal(err)
	}
	if p.InFlight != "i7" || p.attemptsOn("2026-03-02") != 3 || p.attemptsOn("2026-03-01") != 2 || p.attemptsOn("2026-02-28") != 0 {
		t.Errorf("phone %+v, want in flight i7 with the two latest days", p)
	}
}
