package stats

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"orchestrator/messages"
)

// The bucket holds two kinds of records:
//
//	day/<YYYY-MM-DD>          JSON messages.StatsCounts of that business day
//	id/<YYYY-MM-DD>/<call_id> the journal sequence (8 bytes, big-endian) of a
//	                          call counted on that day
//
// The date right after the prefix keeps each kind in day order, so a day's
// records are found without reading the others' values.
const (
	dayPrefix = "day/"
	idPrefix  = "id/"
)

func dayKey(date string) string { return dayPrefix + date }

func idKey(date, callID string) string { return idPrefix + date + "/" + callID }

// parseIDKey splits an id key; ok is false for a key that is not one.
func parseIDKey(key string) (date, callID string, ok bool) {
	rest, found := strings.CutPrefix(key, idPrefix)
	if !found || len(rest) < len(time.DateOnly)+2 || rest[len(time.DateOnly)] != '/' {
		return "", "", false
	}
	return rest[:len(time.DateOnly)], rest[len(time.DateOnly)+1:], true
}

func encodeCounts(c messages.StatsCounts) []byte {
	raw, err := json.Marshal(c)
	if err != nil { // only ints: cannot happen
		panic(fmt.Sprintf("stats: encode counts: %v", err))
	}
	return raw
}

func encodeSeq(seq uint64) []byte { return binary.BigEndian.AppendUint64(make([]byte, 0, 8), seq) }

// decodeSeq reads an id record's sequence; an unreadable one is 0, which
// only lets the id be forgotten once its day leaves the dedupe window.
func decodeSeq(v []byte) uint64 {
	if len(v) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(v)
}

// dedupeFrom is the oldest day whose call ids are still remembered without
// condition: today and the dedupe_days business days before it.
func dedupeFrom(today string, dedupeDays int) string {
	t, err := time.Parse(time.DateOnly, today)
	if err != nil {
		return ""
	}
	return t.AddDate(0, 0, -dedupeDays).Format(time.DateOnly)
}

// remembered is the rule for keeping a call id: its day is inside the dedupe
// window, or its journal record is after the applied sequence, so it may be
// delivered again (resent after a crash, or published by the calls actor's
// catch-up after a long stop) whatever its day.
func remembered(date, from string, seq, applied uint64) bool {
	return date >= from || seq > applied
}
