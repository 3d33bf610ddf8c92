package redial

import (
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"orchestrator/messages"
)

// fakeJournal holds webhook records and serves them as the journal does:
// SubscribeJournal, JournalAdvanced after every append, ReplayJournal.
type fakeJournal struct {
	mu      sync.Mutex
	records []messages.WebhookRecord
	subs    map[string]*actor.PID
	pulls   []uint64 // After of every ReplayJournal, in order
}

// appendRecord is the test appending a durable record.
type appendRecord struct {
	source string
	body   string
}

func (j *fakeJournal) Receive(c actor.Context) {
	switch m := c.Message().(type) {
	case *actor.Started:
		j.subs = map[string]*actor.PID{}
	case messages.SubscribeJournal:
		j.subs[m.Subscriber.Id] = m.Subscriber
		c.Send(m.Subscriber, messages.JournalAdvanced{Durable: j.durable()})
	case appendRecord:
		j.mu.Lock()
		seq := uint64(len(j.records) + 1)
		j.records = append(j.records, messages.WebhookRecord{Seq: seq, ReceivedAt: time.Now(), Source: m.source,
			Result: messages.ResultProcessed, Body: []byte(m.body)})
		j.mu.Unlock()
		for _, pid := range j.subs {
			c.Send(pid, messages.JournalAdvanced{Durable: seq})
		}
	case messages.ReplayJournal:
		j.mu.Lock()
		j.pulls = append(j.pulls, m.After)
		out := messages.JournalBatch{Ref: m.Ref}
		for _, r := range j.records {
			if r.Seq <= m.After || len(m.Sources) > 0 && !slices.Contains(m.Sources, r.Source) {
				continue
			}
			if len(out.Records) == m.Limit {
				out.More = true
				break
			}
			out.Records = append(out.Records, r)
		}
		j.mu.Unlock()
		c.Respond(out)
	}
}

func (j *fakeJournal) durable() uint64 {
	j.mu.Lock()
	defer j.mu.Unlock()
	return uint64(len(j.records))
}

func (j *fakeJournal) pullsAfter() []uint64 {
	j.mu.Lock()
	defer j.mu.Unlock()
	return slices.Clone(j.pulls)
}

func leadBody(p messages.Phone, id string) string {
	return fmt.Sprintf(`{"lead_id":%q,"list_id":"7","phone_number":%q,"first_name":"F%s"}`, id, p, id)
}
