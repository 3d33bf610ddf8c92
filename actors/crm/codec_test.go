package crm

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"orchestrator/messages"
)

func sampleItems() []messages.CRMOutboxItem {
	at := time.Date(2025, 3, 14, 15, 9, 26, 535897932, time.UTC)
	return []messages.CRMOutboxItem{
		{Update: messages.CRMUpdate{Key: "call:c-1", LeadID: "L-1", ListID: "77", Phone: "+15555550123", Status: "A",
			Summary: "left a voicemail", Transcript: transcript2K, Fields: map[string]string{"call_duration": "61", "answered_by": "voicemail"},
			Seq: 1 << 40}, CreatedAt: at, NextTry: at},
		{Update: messages.CRMUpdate{Key: "dnc:+15555550123", LeadID: "L-2", Status: "DNC"}, CreatedAt: at,
			Tries: 5, LastError: "convoso: update lead: http 500 «réessayer»", Parked: true},
		{Update: messages.CRMUpdate{Key: "k"}}, // the zero times
		{Update: messages.CRMUpdate{Key: "old", LeadID: "L-3", Status: "NA", Fields: map[string]string{"": ""}},
			CreatedAt: time.Date(1601, 1, 1, 0, 0, 0, 1, time.UTC), NextTry: time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC)},
	}
}

func TestAnItemReadsBackAsWritten(t *testing.T) {
	for _, want := range sampleItems() {
		t.Run(want.Update.Key, func(t *testing.T) {
			raw := encodeItem(want)
			got, err := decodeItem(raw, false)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("read back (-want +got):\n%s", diff)
			}
			state, err := decodeItem(raw, true)
			want.Update = messages.CRMUpdate{Key: want.Update.Key}
			if diff := cmp.Diff(want, state); err != nil || diff != "" {
				t.Errorf("key and state only: err %v (-want +got):\n%s", err, diff)
			}
		})
	}
}

// Records written by earlier versions, as JSON, are still read.
func TestAJSONItemFromAnEarlierVersionIsRead(t *testing.T) {
	for _, want := range sampleItems() {
		raw, err := json.Marshal(want)
		if err != nil {
			t.Fatal(err)
		}
		got, err := decodeItem(raw, false)
		if diff := cmp.Diff(want, got); err != nil || diff != "" {
			t.Errorf("%s: err %v (-want +got):\n%s", want.Update.Key, err, diff)
		}
		state, err := decodeItem(raw, true)
		if err != nil || !cmp.Equal(state.Update, messages.CRMUpdate{Key: want.Update.Key}) || state.Tries != want.Tries {
			t.Errorf("%s: key and state only = %+v, %v", want.Update.Key, state, err)
		}
	}
}

func TestADeliveryTimeReadsBackAsWrittenAndFromRFC3339(t *testing.T) {
	at := time.Date(2025, 3, 14, 15, 9, 26, 535897932, time.UTC)
	old, _ := at.MarshalText()
	for name, raw := range map[string][]byte{"binary": encodeSent(at), "rfc3339": old} {
		if got, err := decodeSent(raw); err != nil || !got.Equal(at) {
			t.Errorf("%s: %v, %v; want %v", name, got, err, at)
		}
	}
}

func TestACorruptRecordIsAnErrorNotAPanic(t *testing.T) {
	good := encodeItem(sampleItems()[0])
	parked := encodeItem(messages.CRMOutboxItem{})
	parked[1+1+2+2+1+1] = 2 // after version, key, two times, tries, error
	for name, raw := range map[string][]byte{
		"empty":        nil,
		"version":      append([]byte{9}, good[1:]...),
		"cut":          good[:len(good)/2],
		"trailing":     append(good[:len(good):len(good)], 0),
		"parked":       parked,
		"broken json":  []byte(`{"update":`),
		"huge length":  {codecVersion, 0xff, 0xff, 0xff, 0xff, 0x0f},
		"bad sent":     {codecVersion, 0, 0xff, 0xff, 0xff, 0xff, 0x0f},
		"sent, cut":    encodeSent(time.Now())[:3],
		"sent, digits": []byte("2025-13-99"),
	} {
		_, ierr := decodeItem(raw, false)
		_, serr := decodeSent(raw)
		if ierr == nil && serr == nil {
			t.Errorf("%s: read without an error", name)
		}
	}
}

// FuzzDecode feeds the decoders arbitrary stored bytes: they never panic,
// and what they read writes back to the same value.
func FuzzDecode(f *testing.F) {
	for _, it := range sampleItems() {
		f.Add(encodeItem(it))
		raw, _ := json.Marshal(it)
		f.Add(raw)
	}
	f.Add(encodeSent(time.Now()))
	f.Add([]byte("2025-03-14T15:09:26Z"))
	f.Add([]byte{codecVersion})
	f.Fuzz(func(t *testing.T, raw []byte) {
		if it, err := decodeItem(raw, false); err == nil {
			again, err := decodeItem(encodeItem(it), false)
			if diff := cmp.Diff(it, again, cmpopts.EquateEmpty()); err != nil || diff != "" {
				t.Fatalf("written back: err %v (-read +again):\n%s", err, diff)
			}
			state, err := decodeItem(raw, true)
			it.Update = messages.CRMUpdate{Key: it.Update.Key}
			if diff := cmp.Diff(it, state, cmpopts.EquateEmpty()); err != nil || diff != "" {
				t.Fatalf("key and state only: err %v (-whole +state):\n%s", err, diff)
			}
		}
		if at, err := decodeSent(raw); err == nil {
			if again, err := decodeSent(encodeSent(at)); err != nil || !again.Equal(at) {
				t.Fatalf("delivery time %v written back as %v, %v", at, again, err)
			}
		}
	})
}
