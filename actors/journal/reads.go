package journal

import (
	"encoding/json"
	"errors"
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
	if json.Valid(r.Body) {
		out.Body = json.RawMessage(r.Body)
	} else {
		out.BodyText = string(r.Body)
	}
	return out
}

var errEnough = errors.New("enough")

// replay sends up to Limit records after m.After, read on a goroutine.
func (j *Journal) replay(c actor.Context, m messages.ReplayJournal) {
	to, limit, durable := c.Sender(), m.Limit, j.durable
	if limit <= 0 {
		limit = 1000
	}
	j.reads.Add(1)
	go func() {
		defer j.reads.Done()
		var out messages.JournalBatch
		err := replay(j.dir, m.After, func(r Record) error {
			if r.Seq > durable { // not yet acknowledged: not part of history yet
				return errEnough
			}
			if len(out.Records) == limit {
				out.More = true
				return errEnough
			}
			out.Records = append(out.Records, toMessage(&r))
			return nil
		})
		if err != nil && !errors.Is(err, errEnough) {
			out.Err = err.Error()
		}
		j.send(to, out)
	}()
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
