package calls

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"go.uber.org/zap"

	"orchestrator/messages"
)

// intake is how journal records reach the gate: pulled in order from what
// was applied, one lead at a time (the next record waits for the gate's
// decision on this one), so a restart resumes exactly where it was.
type intake struct {
	durable uint64                   // the journal's durable sequence, as last told
	pos     uint64                   // last record taken from a batch
	batch   []messages.WebhookRecord // records not yet taken
	more    bool
	pulling bool
	waiting bool // a lead from the journal is in the gate
}

// intakeBatch is how many records one pull asks for.
const intakeBatch = 256

// maxBacklog is how many messages a consumer may have waiting before the
// intake stops pulling, and backlogWait how long it then waits to look again.
const (
	maxBacklog  = 1024
	backlogWait = 20 * time.Millisecond
)

var intakeSources = []string{messages.SourceLead, messages.SourceCallBack, messages.SourceCompletion}

func (s *Calls) advanced(c actor.Context, durable uint64) {
	s.intake.durable = max(s.intake.durable, durable)
	s.pull(c)
}

// pull asks the journal for the next records unless a pull or a batch is
// already being handled.
func (s *Calls) pull(c actor.Context) {
	in := &s.intake
	if in.pulling || in.waiting || len(in.batch) > 0 || in.pos >= in.durable && !in.more {
		return
	}
	if s.d.Backlog != nil && s.d.Backlog() > maxBacklog {
		if !s.timers.Has("pull") {
			s.timers.After("pull", backlogWait, pullTick{})
		}
		return
	}
	in.pulling = true
	c.Request(s.d.Journal, messages.ReplayJournal{After: in.pos, Limit: intakeBatch, Sources: intakeSources})
}

func (s *Calls) batchArrived(c actor.Context, b messages.JournalBatch) {
	if b.Ref != "" {
		s.resendPage(c, b) // only resends set one
		return
	}
	in := &s.intake
	in.pulling = false
	if b.Err != "" {
		s.d.Log.Error("cannot read the journal; retrying", zap.String("err", b.Err))
		s.timers.After("pull", time.Second, pullTick{})
		return
	}
	in.batch, in.more = b.Records, b.More
	s.intakeNext(c)
}

// intakeNext takes records until one has to wait for the gate.
func (s *Calls) intakeNext(c actor.Context) {
	in := &s.intake
	for len(in.batch) > 0 && !in.waiting {
		r := in.batch[0]
		in.batch = in.batch[1:]
		in.pos = r.Seq
		if r.Result == messages.ResultProcessed {
			s.take(c, r)
		}
		if !in.waiting {
			// Its effects are staged (a lead in the gate moves applied when
			// decided), so a commit may now say it was applied.
			s.applied = r.Seq
		}
	}
	if in.waiting {
		return
	}
	_ = s.commitLogged()
	s.pull(c)
}

// take turns one record into a dial request or a completion.
func (s *Calls) take(c actor.Context, r messages.WebhookRecord) {
	body := []byte(r.Body)
	switch r.Source {
	case messages.SourceLead, messages.SourceCallBack:
		parse, kind := messages.ParseLead, messages.DialNewLead
		if r.Source == messages.SourceCallBack {
			parse, kind = messages.ParseCallBack, messages.DialCallBack
		}
		lead, err := parse(body)
		if err != nil {
			s.d.Log.Error("journal record does not parse; skipped", zap.Uint64("seq", r.Seq), zap.Error(err))
			return
		}
		if kind == messages.DialNewLead {
			for _, pid := range s.d.LeadConsumers {
				s.send(pid, messages.LeadReceived{Lead: lead, RequestID: r.RequestID, Seq: r.Seq, ReceivedAt: r.ReceivedAt})
			}
		}
		s.intake.waiting = true
		s.dial(c, messages.DialRequest{Kind: kind, Lead: lead, RequestID: r.RequestID, Seq: r.Seq}, nil, true)
	case messages.SourceCompletion:
		cc, err := completionOf(r)
		if err != nil {
			s.d.Log.Error("journal record does not parse; skipped", zap.Uint64("seq", r.Seq), zap.Error(err))
			return
		}
		s.complete(c, cc)
	}
}

// completionOf parses a completion record as published: a resend rebuilds
// it the same way.
func completionOf(r messages.WebhookRecord) (messages.CallCompleted, error) {
	cc, err := messages.ParseCompletion([]byte(r.Body))
	if err != nil {
		return cc, err
	}
	cc.Seq = r.Seq
	if cc.CompletedAt.IsZero() {
		cc.CompletedAt = r.ReceivedAt
	}
	return cc, nil
}

// intakeDecided lets the intake go on after the gate decided on its lead.
func (s *Calls) intakeDecided(c actor.Context) {
	s.intake.waiting = false
	s.intakeNext(c)
}
