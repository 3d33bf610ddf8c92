package calls

import (
	"strconv"
	"strings"
	"time"

	"orchestrator/messages"
)

// hold is what the gate keeps in memory of a phone that holds something: a
// call in flight or a post-transfer hold. 16 bytes and no pointer, since a
// burst of dials holds as many phones as it placed calls. The phone's
// record (its attempts, and these two facts) is in the state file; a hold
// follows the record each time the record is staged (stagePhone).
type hold struct {
	call  uint64 // intent number of the call in flight; 0 for none
	until stamp  // end of the post-transfer hold
}

// intentName and intentNumber convert between an outbound call's intent
// ("i42") and its number; only outbound calls hold phones. 0: not one.
func intentName(n uint64) string { return "i" + strconv.FormatUint(n, 10) }

func intentNumber(intent string) uint64 {
	digits, ok := strings.CutPrefix(intent, "i")
	if !ok {
		return 0
	}
	n, _ := strconv.ParseUint(digits, 10, 64)
	return n
}

// holding is the intent of the call in flight on ph, "" for none.
func (s *Calls) holding(ph messages.Phone) string {
	if h := s.holds[ph]; h.call != 0 {
		return intentName(h.call)
	}
	return ""
}

// syncHold makes ph's hold follow its record p, and keeps the count of
// phones held by a call (the in-flight gauge) without scanning them.
func (s *Calls) syncHold(ph messages.Phone, p *phone, now time.Time) {
	old, h := s.holds[ph], hold{call: intentNumber(p.InFlight), until: p.HoldUntil}
	if old.call != 0 {
		s.held--
	}
	if h.call != 0 {
		s.held++
	}
	if h.call == 0 && !now.Before(h.until.Time()) {
		delete(s.holds, ph)
	} else {
		s.holds[ph] = h
	}
	s.d.Metrics.inFlight.Set(float64(s.held))
}

// sweepHolds forgets the holds that have passed.
func (s *Calls) sweepHolds(now time.Time) {
	for ph, h := range s.holds {
		if h.call == 0 && !now.Before(h.until.Time()) {
			delete(s.holds, ph)
		}
	}
}

// letGo frees ph of the call intent, if that call holds it, and stages
// the phone's record.
func (s *Calls) letGo(ph messages.Phone, intent string) {
	if s.holding(ph) != intent {
		return
	}
	s.phoneOf(ph).InFlight = ""
	s.stagePhone(ph)
}
