package sms

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"orchestrator/actors/bland"
	"orchestrator/messages"
)

// text is one SMS the fake provider received.
type text struct {
	to, from messages.Phone
	body     string
	at       time.Time
	lost     bool // the provider failed before keeping it: not in its history
}

// fakeSender is the provider: it records every text it receives, then
// answers with fail(n) for the n-th (nil: success) or, while hold is set,
// only once the test closes it (or the request is cancelled). Its history
// is the texts it received, unless lookFail(n) fails the n-th lookup or
// dryRun says there is none.
type fakeSender struct {
	mu       sync.Mutex
	texts    []text
	fail     func(n int) error
	hold     chan struct{}
	delay    time.Duration // how long each answer takes
	busy     int           // requests being answered
	peak     int           // the most answered at once
	lookups  int
	lookFail func(n int) error
	dryRun   bool
	lose     func(n int) bool // the n-th text fails before the provider keeps it
}

func (f *fakeSender) SMSHistory(_ context.Context, phone messages.Phone) (bland.SMSHistory, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lookups++
	if f.lookFail != nil {
		if err := f.lookFail(f.lookups); err != nil {
			return bland.SMSHistory{}, err
		}
	}
	if f.dryRun {
		return bland.SMSHistory{DryRun: true}, nil
	}
	var h bland.SMSHistory
	for i, t := range f.texts {
		if t.to == phone && !t.lost {
			h.Texts = append(h.Texts, bland.Text{ID: fmt.Sprintf("sms-%d", i+1), Body: t.body, From: t.from, To: t.to, At: t.at})
		}
	}
	return h, nil
}

// receive records a text as if the provider had taken it at.
func (f *fakeSender) receive(to messages.Phone, body string, at time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.texts = append(f.texts, text{to: to, from: ourNumber, body: body, at: at})
}

func (f *fakeSender) SendSMS(ctx context.Context, to, from messages.Phone, body string) (bland.SMSResult, error) {
	f.mu.Lock()
	f.texts = append(f.texts, text{to: to, from: from, body: body, at: time.Now()})
	n, fail, hold, delay := len(f.texts), f.fail, f.hold, f.delay
	if f.lose != nil && f.lose(n) {
		f.texts[n-1].lost = true
	}
	f.busy++
	f.peak = max(f.peak, f.busy)
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.busy--
		f.mu.Unlock()
	}()
	time.Sleep(delay)
	if hold != nil {
		select {
		case <-hold:
		case <-ctx.Done():
			return bland.SMSResult{}, ctx.Err()
		}
	}
	if fail != nil {
		if err := fail(n); err != nil {
			return bland.SMSResult{}, err
		}
	}
	return bland.SMSResult{MessageID: fmt.Sprintf("sms-%d", n)}, nil
}

func (f *fakeSender) to(p messages.Phone) []text {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []text
	for _, t := range f.texts {
		if t.to == p {
			out = append(out, t)
		}
	}
	return out
}

// fakeJournal holds sms-reply records and serves them as the journal does.
type fakeJournal struct {
	records []messages.WebhookRecord
	subs    []*actor.PID
}

type appendReply struct{ body string }

func (j *fakeJournal) Receive(c actor.Context) {
	switch m := c.Message().(type) {
	case messages.SubscribeJournal:
		j.subs = append(j.subs, m.Subscriber)
		c.Send(m.Subscriber, messages.JournalAdvanced{Durable: uint64(len(j.records))})
	case appendReply:
		seq := uint64(len(j.records) + 1)
		j.records = append(j.records, messages.WebhookRecord{Seq: seq, Source: messages.SourceSMSReply, ReceivedAt: time.Now().UTC(),
			Result: messages.ResultProcessed, Body: []byte(m.body)})
		for _, s := range j.subs {
			c.Send(s, messages.JournalAdvanced{Durable: seq})
		}
	case messages.ReplayJournal:
		var b messages.JournalBatch
		for _, r := range j.records {
			if r.Seq > m.After && slices.Contains(m.Sources, r.Source) {
				if len(b.Records) == m.Limit {
					b.More = true
					break
				}
				b.Records = append(b.Records, r)
			}
		}
		c.Respond(b)
	}
}

// recorder is a fake service: it keeps every message and answers with
// answer(msg, n) when that is not nil (n counts the messages of that type).
type recorder struct {
	mu     sync.Mutex
	got    []interface{}
	answer func(msg interface{}, n int) interface{}
}

func (r *recorder) Receive(c actor.Context) {
	msg := c.Message()
	switch msg.(type) {
	case messages.CRMUpdate, messages.LookupLead, messages.CompleteRedial, messages.DialRequest, messages.ResendCompletions:
	default:
		return
	}
	r.mu.Lock()
	r.got = append(r.got, msg)
	n := 0
	for _, g := range r.got {
		if fmt.Sprintf("%T", g) == fmt.Sprintf("%T", msg) {
			n++
		}
	}
	answer := r.answer
	r.mu.Unlock()
	if answer != nil && c.Sender() != nil {
		if res := answer(msg, n); res != nil {
			c.Respond(res)
		}
	}
}

func received[T any](r *recorder) []T {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []T
	for _, g := range r.got {
		if m, ok := g.(T); ok {
			out = append(out, m)
		}
	}
	return out
}

// crmAnswers is how the fake CRM answers by default: updates are queued,
// look-ups find lead "L-looked-up".
func crmAnswers(msg interface{}, _ int) interface{} {
	switch m := msg.(type) {
	case messages.CRMUpdate:
		return messages.CRMOutboxItem{Update: m}
	case messages.LookupLead:
		return messages.LeadLookup{Ref: m.Ref, Leads: []messages.Lead{{LeadID: "L-looked-up", ListID: "9", Phone: m.Phone}}}
	}
	return nil
}

func redialAnswers(msg interface{}, _ int) interface{} {
	if m, ok := msg.(messages.CompleteRedial); ok {
		return messages.RedialChanged{Found: true, Record: &messages.RedialRecord{Phone: m.Phone, Status: messages.RedialDone}}
	}
	return nil
}

func callsAnswers(msg interface{}, _ int) interface{} {
	if m, ok := msg.(messages.DialRequest); ok {
		return messages.DialResult{Ref: m.Ref, Code: messages.DialDialled, CallID: "cb-call"}
	}
	return nil
}
