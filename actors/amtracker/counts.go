package amtracker

import (
	"encoding/json"
	"fmt"
	"hash/maphash"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"orchestrator/actors/store"
	"orchestrator/messages"
)

// pair is one lead + phone's tracked calls on one day, as stored.
type pair struct {
	LeadID string         `json:"lead_id,omitempty"`
	Phone  messages.Phone `json:"phone,omitempty"`
	Calls  []string       `json:"calls"` // call ids counted, at most maxPairCalls
	// More counts the calls past maxPairCalls: far past any cap, they change
	// no decision, and listing them all made every count cost O(count).
	More int `json:"more,omitempty"`
}

// maxPairCalls bounds the call ids a pair stores. Past it a call is only
// counted (More); its id is still remembered in memory for the day, but a
// resend after a restart could count it again, which moves no decision.
const maxPairCalls = 64

func (p *pair) count() int { return len(p.Calls) + p.More }

// with returns a copy of p that also counts call id.
func (p *pair) with(id string) *pair {
	next := &pair{LeadID: p.LeadID, Phone: p.Phone, Calls: p.Calls[:len(p.Calls):len(p.Calls)], More: p.More}
	if len(next.Calls) < maxPairCalls {
		next.Calls = append(next.Calls, id)
	} else {
		next.More++
	}
	return next
}

// day is one business day's counts with the indexes the gate's check needs.
type day struct {
	pairs    map[string]*pair    // by store key
	calls    map[uint64]struct{} // hashes of the call ids counted this day (callHash)
	byLead   map[string]int
	byPhone  map[messages.Phone]int
	outcomes int // tracked outcomes counted
	atCap    int // pairs at or over the cap
}

// callSeed keys callHash; the hashes live in memory only, rebuilt at start.
var callSeed = maphash.MakeSeed()

// callHash stands for a call id in a day's set: 8 bytes instead of the
// id's string, as a day may count tens of thousands of calls. Two ids
// sharing a hash (odds ~n²/2⁶⁵, 3·10⁻¹⁰ for 100 000 calls a day) would
// leave the second uncounted: one tracked call fewer towards a cap.
func callHash(id string) uint64 { return maphash.String(callSeed, id) }

// counted says whether the call id was counted this day.
func (d *day) counted(id string) bool {
	_, ok := d.calls[callHash(id)]
	return ok
}

func newDay() *day {
	return &day{pairs: map[string]*pair{}, calls: map[uint64]struct{}{}, byLead: map[string]int{}, byPhone: map[messages.Phone]int{}}
}

// put makes p the pair under key, updating the indexes by the difference;
// ids are the call ids p counts that the day has not seen yet.
func (d *day) put(key string, p *pair, limit int, ids ...string) {
	before := 0
	if old, ok := d.pairs[key]; ok {
		before = old.count()
	}
	d.pairs[key] = p
	for _, id := range ids {
		if id != "" {
			d.calls[callHash(id)] = struct{}{}
		}
	}
	added := p.count() - before
	if p.LeadID != "" {
		d.byLead[p.LeadID] += added
	}
	if p.Phone != "" {
		d.byPhone[p.Phone] += added
	}
	d.outcomes += added
	if reached(before, limit) != reached(p.count(), limit) {
		d.atCap++
	}
}

func (d *day) recount(limit int) {
	d.atCap = 0
	for _, p := range d.pairs {
		if reached(p.count(), limit) {
			d.atCap++
		}
	}
}

// size, total and capped read a day that may not exist (nil): nothing counted.
func (d *day) size() int {
	if d == nil {
		return 0
	}
	return len(d.pairs)
}

func (d *day) total() int {
	if d == nil {
		return 0
	}
	return d.outcomes
}

func (d *day) capped() int {
	if d == nil {
		return 0
	}
	return d.atCap
}

// reached is the cap rule; a cap below 1 (rejected by config validation)
// caps nobody rather than everybody.
func reached(count, limit int) bool { return limit > 0 && count >= limit }

func (t *Tracker) dayFor(date string) *day {
	d, ok := t.days[date]
	if !ok {
		d = newDay()
		t.days[date] = d
	}
	return d
}

// count records a tracked completion once per call id; the store gets it
// with the next batch (flush.go). Completions of a day older than yesterday are ignored:
// that day is already pruned, or about to be.
func (t *Tracker) count(c actor.Context, m messages.CallCompleted, now time.Time) {
	if !t.tracked[m.Outcome] {
		return
	}
	// The fields are built only for a line that is written: this runs per completion.
	log := func(lvl zapcore.Level, msg string, fields ...zap.Field) {
		if ce := t.d.Log.Check(lvl, msg); ce != nil {
			ce.Write(append(fields, zap.String("call_id", m.CallID), zap.String("lead_id", m.LeadID), zap.String("phone", m.Phone.Masked()))...)
		}
	}
	if m.LeadID == "" && m.Phone == "" {
		log(zap.WarnLevel, "tracked completion without lead id or phone; not counted")
		return
	}
	at := m.CompletedAt
	if at.IsZero() {
		at = now
	}
	date, today := t.day(at), t.day(now)
	if date < previousDay(today) {
		log(zap.DebugLevel, "tracked completion of a past day; not counted", zap.String("day", date))
		return
	}
	d := t.days[date]
	if d != nil && m.CallID != "" && d.counted(m.CallID) {
		log(zap.DebugLevel, "call already counted", zap.String("day", date))
		return
	}
	key := pairKey(date, m.LeadID, m.Phone)
	next := (&pair{LeadID: m.LeadID, Phone: m.Phone}).with(m.CallID)
	if d != nil {
		if old, ok := d.pairs[key]; ok {
			next = old.with(m.CallID)
		}
	}
	t.stage(c, key, next, m.Seq)
	t.dayFor(date).put(key, next, t.d.Cfg.MaxPerDay, m.CallID)
	t.d.Metrics.counted.WithLabelValues(string(m.Outcome)).Inc()
	t.gauge(now)
	log(zap.DebugLevel, "tracked completion counted", zap.String("day", date), zap.String("outcome", string(m.Outcome)),
		zap.Int("count", next.count()))
}

// check answers the gate: by lead id when given (all of the lead's phones),
// else by phone.
func (t *Tracker) check(m messages.CheckAMCap, now time.Time) messages.AMCapStatus {
	n := 0
	if d := t.days[t.day(now)]; d != nil {
		switch {
		case m.LeadID != "":
			n = d.byLead[m.LeadID]
		case m.Phone != "":
			n = d.byPhone[m.Phone]
		}
	}
	return messages.AMCapStatus{Ref: m.Ref, Reached: reached(n, t.d.Cfg.MaxPerDay), Count: n}
}

// load reads the bucket and drops, from memory and store, days older than
// yesterday and records it cannot read. It returns the days dropped.
func (t *Tracker) load(now time.Time) (int, error) {
	t.days = map[string]*day{}
	keepFrom := previousDay(t.day(now))
	var drop []store.Change
	dropped := map[string]bool{}
	err := t.d.Bucket.Load(func(k, v []byte) error {
		key := string(k)
		date := dayOfKey(key)
		if date < keepFrom {
			drop = append(drop, store.Change{Key: key})
			dropped[date] = true
			return nil
		}
		p := &pair{}
		if err := json.Unmarshal(v, p); err != nil {
			t.d.Log.Error("amtracker record unreadable; dropped", zap.String("day", date), zap.Error(err))
			drop = append(drop, store.Change{Key: key})
			return nil
		}
		t.dayFor(date).put(key, p, t.d.Cfg.MaxPerDay, p.Calls...)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("amtracker: load: %w", err)
	}
	if len(drop) > 0 {
		if err := t.d.Bucket.Commit(0, drop...); err != nil {
			// Not fatal: the next prune drops them again.
			t.d.Log.Error("amtracker: old days not deleted from the store", zap.Int("records", len(drop)), zap.Error(err))
		}
	}
	return len(dropped), nil
}

// pairKey is day/lead/phone: the day prefix lets a prune find a day's
// records, and a phone never holds a slash, so distinct pairs never collide.
func pairKey(date, leadID string, phone messages.Phone) string {
	return date + "/" + leadID + "/" + string(phone)
}

// dayOfKey is the date a key starts with, or "" for a key that is not ours
// (sorted before every date, so it is dropped).
func dayOfKey(key string) string {
	if len(key) < len(time.DateOnly)+1 || key[len(time.DateOnly)] != '/' {
		return ""
	}
	return key[:len(time.DateOnly)]
}

// previousDay is the calendar date before date (YYYY-MM-DD), or "" when date
// is not one.
func previousDay(date string) string {
	d, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return ""
	}
	return d.AddDate(0, 0, -1).Format(time.DateOnly)
}

func encode(p *pair) []byte {
	raw, err := json.Marshal(p)
	if err != nil { // only strings: cannot happen
		panic(fmt.Sprintf("amtracker: encode pair: %v", err))
	}
	return raw
}
