package journal

import (
	"encoding/json"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"go.uber.org/zap"

	"orchestrator/messages"
)

// query answers from the recent ring when it holds all of today, otherwise
// from the segment files on a goroutine (reads never hold up appends).
func (j *Journal) query(c actor.Context, m messages.QueryWebhookLog) {
	q := Query{Day: m.Day, Phone: string(m.Phone), LeadID: m.LeadID, Limit: m.Limit, Offset: m.Offset}
	to := c.Sender()
	if m.Day == j.today && j.recent.covers(startOfDay(j.today, j.d.Location)) {
		recs, matched := j.recent.page(func(r *Record) bool {
			return dayOf(r.ReceivedAt, j.d.Location) == j.today && q.matches(r)
		}, q.Limit, q.Offset)
		j.send(to, page(m, j.counts, recs, matched, nil))
		return
	}
	todayCounts, today := j.counts, j.today
	j.reads.Add(1)
	go func() {
		defer j.reads.Done()
		recs, matched, err := search(j.dir, q, nil)
		counts := todayCounts
		if m.Day != "" && m.Day != today && err == nil {
			counts, err = countDay(j.dir, m.Day)
		}
		j.send(to, page(m, counts, recs, matched, err))
	}()
}

func page(m messages.QueryWebhookLog, counts DayCounts, recs []Record, matched int, err error) messages.WebhookLogPage {
	p := messages.WebhookLogPage{
		Day: m.Day, Total: matched, Limit: m.Limit, Offset: m.Offset,
		Counts: messages.WebhookDayStats(counts), Records: make([]messages.WebhookRecord, 0, len(recs)),
	}
	if err != nil {
		p.Err = err.Error()
		return p
	}
	for i := range recs {
		p.Records = append(p.Records, toMessage(&recs[i]))
	}
	return p
}

// toMessage renders a record for the admin API: a JSON body inline, any
// other body as text.
func toMessage(r *Record) messages.WebhookRecord {
	out := messages.WebhookRecord{
		Seq: r.Seq, ReceivedAt: r.ReceivedAt, Source: r.Source, RequestID: r.RequestID, Result: r.Result,
		Error: r.Error, Phone: r.Phone, LeadID: r.LeadID, CallID: r.CallID, Headers: r.Headers,
	}
	if validJSON(r.Body) {
		out.Body = json.RawMessage(r.Body)
	} else {
		out.BodyText = string(r.Body)
	}
	return out
}

var errEnough = errors.New("enough")

// replay answers from the recent ring when it holds everything after
// m.After (the live case: a subscriber a batch behind), else from the
// segments on a goroutine (recovery after a restart).
func (j *Journal) replay(c actor.Context, m messages.ReplayJournal) {
	to, limit, durable := c.Sender(), m.Limit, j.durable
	if limit <= 0 {
		limit = 1000
	}
	want := sourceFilter(m.Sources)
	// Only a subscriber's intake reads say where it is (a resend's pages,
	// Ref set, read old history); decided here, as the map is the actor's.
	reader := to != nil && m.Ref == "" && j.subscribers[to.Id] != nil
	if j.recent.holdsAfterFor(m.After, m.Sources) {
		j.d.Metrics.replays.WithLabelValues("memory").Inc()
		var newer []*Record
		j.recent.each(func(r *Record) bool {
			if r.Seq <= m.After {
				return false
			}
			newer = append(newer, r)
			return true
		})
		out := messages.JournalBatch{Ref: m.Ref}
		for i := len(newer) - 1; i >= 0; i-- {
			if !want(newer[i].Source) {
				continue
			}
			if len(out.Records) == limit {
				out.More = true
				break
			}
			out.Records = append(out.Records, toMessage(newer[i]))
		}
		j.handed(reader, to, &out, durable)
		j.send(to, out)
		return
	}
	j.d.Metrics.replays.WithLabelValues("disk").Inc()
	hint := j.cursors.at(m.After)
	j.reads.Add(1)
	go func() {
		defer j.reads.Done()
		out := messages.JournalBatch{Ref: m.Ref}
		var last cursor
		err := replayFrom(j.dir, m.After, hint, func(r Record, at cursor) error {
			if r.Seq > durable { // not yet acknowledged: not part of history yet
				return errEnough
			}
			if !want(r.Source) {
				return nil
			}
			if len(out.Records) == limit {
				out.More = true
				return errEnough
			}
			out.Records = append(out.Records, toMessage(&r))
			last = at
			return nil
		})
		if err != nil && !errors.Is(err, errEnough) {
			out.Err = err.Error()
		}
		j.cursors.save(last)
		j.handed(reader, to, &out, durable)
		j.send(to, out)
	}()
}

// handed feeds the reader lag with a subscriber's read: it has been handed
// everything up to durable, or up to the last record when more follow.
func (j *Journal) handed(reader bool, to *actor.PID, out *messages.JournalBatch, durable uint64) {
	if !reader || out.Err != "" {
		return
	}
	through := durable
	if out.More && len(out.Records) > 0 {
		through = out.Records[len(out.Records)-1].Seq
	}
	j.lag.handed(to.Id, through, durable)
}

func sourceFilter(sources []string) func(string) bool {
	if len(sources) == 0 {
		return func(string) bool { return true }
	}
	return func(s string) bool { return slices.Contains(sources, s) }
}

// subscribe adds a subscriber and tells it at once how far the log is durable.
func (j *Journal) subscribe(m messages.SubscribeJournal) {
	if m.Subscriber == nil {
		return
	}
	j.subscribers[m.Subscriber.Id] = m.Subscriber
	j.send(m.Subscriber, messages.JournalAdvanced{Durable: j.durable})
}

// advance tells every subscriber the log grew; they pull what they lack.
func (j *Journal) advance() {
	j.lag.advanced(j.durable)
	for _, pid := range j.subscribers {
		j.send(pid, messages.JournalAdvanced{Durable: j.durable})
	}
}

// enforceRetention deletes whole segments older than journal.retention and
// forgets dedupe keys older than journal.dedupe_ttl.
func (j *Journal) enforceRetention() {
	now := time.Now()
	pruned := j.dedupe.prune(now)
	cutoff := dayOf(now.Add(-j.d.Cfg.Retention), j.d.Location)
	removed, err := deleteBefore(j.dir, cutoff)
	if err != nil {
		j.d.Log.Error("journal retention failed", zap.Error(err))
		return
	}
	if len(removed) > 0 || pruned > 0 {
		j.d.Log.Info("journal retention", zap.Strings("deleted_segments", removed), zap.Int("dedupe_keys_pruned", pruned))
	}
}

// startOfDay is the first instant of day in loc.
func startOfDay(day string, loc *time.Location) time.Time {
	t, _ := time.ParseInLocation(time.DateOnly, day, loc)
	return t
}

// cursors remembers where recent replays stopped, so a subscriber pulling
// on from there seeks straight to it instead of reading its segment from the
// start each time (which made a long catch-up quadratic). A few entries
// serve every subscriber; replay goroutines share it, hence the lock.
type cursors struct {
	mu  sync.Mutex
	by  map[uint64]cursor
	ord []uint64
}

const maxCursors = 16

func (cs *cursors) at(seq uint64) cursor {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	return cs.by[seq]
}

func (cs *cursors) save(c cursor) {
	if c.day == "" {
		return
	}
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if cs.by == nil {
		cs.by = map[uint64]cursor{}
	}
	if _, ok := cs.by[c.seq]; !ok {
		cs.ord = append(cs.ord, c.seq)
	}
	cs.by[c.seq] = c
	for len(cs.ord) > maxCursors {
		delete(cs.by, cs.ord[0])
		cs.ord = cs.ord[1:]
	}
}
