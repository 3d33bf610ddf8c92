package calls

import (
	"slices"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"go.uber.org/zap"

	"orchestrator/messages"
)

// intake is how journal records reach the gate: pulled in order from what
// was applied, so a restart resumes exactly where it was. Up to
// intakeWindow leads (and call-backs) are in the gate at once, so their
// intents share commits; a completion waits until every lead before it is
// decided, so completions still apply in journal order after them.
type intake struct {
	durable uint64                   // the journal's durable sequence, as last told
	pos     uint64                   // last record taken from a batch
	batch   []messages.WebhookRecord // records not yet taken
	more    bool
	pulling bool
	gate    []uint64 // sequences of the leads in the gate, ascending
	running bool     // intakeNext is taking records
	// dialled holds the leads after the applied sequence that were dialled
	// before the last stop (meta/ahead, stored with their dials): a lead
	// decided ahead of an earlier one still in the gate is stored with its
	// dial but not as applied, and is passed over when read again.
	dialled map[uint64]bool
}

// intakeBatch is how many records one pull asks for, and intakeWindow how
// many leads may wait for the gate's decision at once.
const (
	intakeBatch  = 256
	intakeWindow = 64
)

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
	if in.pulling || len(in.batch) > 0 || in.pos >= in.durable && !in.more {
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

// intakeNext takes records while the window has room: leads enter the
// gate, other records apply when no lead before them is undecided. The
// applied sequence is the last record before the first undecided lead.
func (s *Calls) intakeNext(c actor.Context) {
	in := &s.intake
	in.running = true
	for len(in.batch) > 0 {
		r := in.batch[0]
		lead := r.Result == messages.ResultProcessed && (r.Source == messages.SourceLead || r.Source == messages.SourceCallBack)
		if len(in.gate) > 0 && (!lead || len(in.gate) >= intakeWindow) {
			break
		}
		in.batch = in.batch[1:]
		in.pos = r.Seq
		if r.Result == messages.ResultProcessed {
			s.take(c, r)
		}
		if len(in.gate) == 0 {
			// Its effects are staged (a lead's with its decision), so a
			// commit may now say it was applied.
			s.applied = max(s.applied, r.Seq)
		}
	}
	in.running = false
	if len(in.gate) > 0 && len(in.batch) > 0 {
		return // the window is full, or a completion waits for the leads before it
	}
	s.flushSoon()
	s.pull(c)
}

// take turns one record into a dial request or a completion.
func (s *Calls) take(c actor.Context, r messages.WebhookRecord) {
	body := []byte(r.Body)
	switch r.Source {
	case messages.SourceLead, messages.SourceCallBack:
		if s.intake.dialled[r.Seq] {
			delete(s.intake.dialled, r.Seq)
			s.d.Log.Info("lead already dialled before the last stop; not dialled again", zap.Uint64("seq", r.Seq))
			return
		}
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
		s.intake.gate = append(s.intake.gate, r.Seq) // before dial: it may decide at once
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

// intakeDecided notes the gate's decision on the intake's lead seq: the
// applied sequence moves up to the first lead still undecided, and the
// intake goes on.
func (s *Calls) intakeDecided(c actor.Context, seq uint64) {
	in := &s.intake
	if i := slices.Index(in.gate, seq); i >= 0 {
		in.gate = slices.Delete(in.gate, i, i+1)
	}
	if len(in.gate) == 0 {
		s.applied = max(s.applied, in.pos)
	} else {
		s.applied = max(s.applied, in.gate[0]-1)
	}
	if !in.running {
		s.intakeNext(c)
	}
}
