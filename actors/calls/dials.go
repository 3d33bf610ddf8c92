package calls

import (
	"encoding/binary"
	"time"

	"orchestrator/actors/store"
)

// The duplicate rule asks when a lead was last dialled. The answer is in
// memory for the leads dialled within calls.duplicate_window (leadDialled,
// swept as dials go by and by the prune), and in the state file as a dial
// log: one key per commit that dialled, in time order,
// dialled/<its latest dial><intent counter> → the commit's (lead id, time)
// pairs. A start rebuilds the window from the log's tail; the prune cuts
// its head. One key per commit rather than per dial keeps the log a few
// dense pages.

// leadDial is a lead's dial not yet in the log.
type leadDial struct {
	lead string
	at   stamp
}

// noteLeadDialled records a lead's dial for the duplicate rule; it is
// logged with the commit that stores the dial's intent. Every so many dials
// those past the window are forgotten, so the map holds the window's leads
// rather than a day's.
func (s *Calls) noteLeadDialled(lead string, at stamp) {
	s.leadDialled[lead] = at
	s.unlogged = append(s.unlogged, leadDial{lead: lead, at: at})
	if s.leadSweep++; s.leadSweep >= 4096 {
		s.leadSweep = 0
		s.sweepLeads(at.Time())
	}
}

// unlogLeadDial takes back a dial whose intent was not stored.
func (s *Calls) unlogLeadDial(lead string, at stamp) {
	for i, d := range s.unlogged {
		if d.lead == lead && d.at == at {
			s.unlogged = append(s.unlogged[:i], s.unlogged[i+1:]...)
			return
		}
	}
}

func (s *Calls) sweepLeads(now time.Time) {
	for id, at := range s.leadDialled {
		if now.Sub(at.Time()) >= s.d.Cfg.DuplicateWindow {
			delete(s.leadDialled, id)
		}
	}
}

// dialLogKey is the log key of dials, the latest at `last`; counter (the
// intent counter, which every dial moves) keeps two commits apart.
func dialLogKey(last stamp, counter uint64) string {
	return dialledPrefix + beUint(uint64(last)) + beUint(counter)
}

// dialLogChange is the log entry of dials; none when there are none.
func dialLogChange(dials []leadDial, counter uint64) []store.Change {
	if len(dials) == 0 {
		return nil
	}
	var last stamp
	for _, d := range dials {
		last = max(last, d.at)
	}
	var b []byte
	for _, d := range dials {
		b = binary.AppendUvarint(b, uint64(len(d.lead)))
		b = append(b, d.lead...)
		b = binary.AppendUvarint(b, uint64(last-d.at))
	}
	return []store.Change{{Key: dialLogKey(last, counter), Value: b}}
}

// dialLogLast is when the latest dial of a log key was.
func dialLogLast(k []byte) stamp {
	k = k[len(dialledPrefix):]
	if len(k) < 8 {
		return 0
	}
	return stamp(binary.BigEndian.Uint64(k))
}

// readDialLog calls fn for each dial of a log entry.
func readDialLog(k, v []byte, fn func(lead string, at stamp)) {
	last := dialLogLast(k)
	for len(v) > 0 {
		n, w := binary.Uvarint(v)
		if w <= 0 || uint64(len(v)-w) < n {
			return
		}
		lead := string(v[w : w+int(n)])
		v = v[w+int(n):]
		ago, w := binary.Uvarint(v)
		if w <= 0 {
			return
		}
		v = v[w:]
		fn(lead, last-stamp(ago))
	}
}

// loadLeadDials rebuilds the duplicate window from the log's tail.
func (s *Calls) loadLeadDials(now time.Time) error {
	cutoff := stampOf(now.Add(-s.d.Cfg.DuplicateWindow))
	return s.d.Bucket.LoadFrom(dialledPrefix, dialLogKey(cutoff, 0), func(k, v []byte) error {
		readDialLog(k, v, func(lead string, at stamp) {
			if at > cutoff && at > s.leadDialled[lead] {
				s.leadDialled[lead] = at
			}
		})
		return nil
	})
}
