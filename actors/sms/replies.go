package sms

import (
	"fmt"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"go.uber.org/zap"

	"orchestrator/actors/store"
	"orchestrator/messages"
)

// intake is how replies reach the drip: pulled from the journal in order
// from the position stored with the sms state, so a restart resumes exactly
// where the last commit was.
type intake struct {
	durable uint64 // the journal's durable sequence, as last told
	pos     uint64 // the last record applied
	asked   uint64 // durable when the pending pull was asked
	askedAt time.Time
	pulling bool
	more    bool
}

// pullTimeout gives up on a pull the journal never answered (it restarted).
const pullTimeout = 30 * time.Second

const replyBatch = 256

var replySources = []string{messages.SourceSMSReply}

func (s *SMS) advanced(c actor.Context, durable uint64) {
	s.replies.durable = max(s.replies.durable, durable)
	s.pull(c)
}

// pull asks for the replies after pos unless a pull is out or nothing is new.
func (s *SMS) pull(c actor.Context) {
	in := &s.replies
	if in.pulling || in.pos >= in.durable && !in.more {
		return
	}
	in.pulling, in.asked, in.askedAt = true, in.durable, s.now()
	c.Request(s.d.Journal, messages.ReplayJournal{After: in.pos, Limit: replyBatch, Sources: replySources})
}

// batchArrived applies a batch of replies and stores their effects with the
// position reached in one transaction.
func (s *SMS) batchArrived(c actor.Context, b messages.JournalBatch, now time.Time) {
	in := &s.replies
	in.pulling = false
	if b.Err != "" {
		s.d.Log.Error("cannot read replies from the journal; retrying", zap.String("err", b.Err))
		s.timers.After("pull", time.Second, pullTick{})
		return
	}
	from := in.pos
	var changes []store.Change
	for _, r := range b.Records {
		in.pos = max(in.pos, r.Seq)
		if r.Result == messages.ResultProcessed {
			changes = append(changes, s.reply(r, now)...)
		}
	}
	in.more = b.More
	if !b.More {
		// Nothing of ours up to what was durable when we asked: start there
		// next time instead of re-reading other sources' records.
		in.pos = max(in.pos, in.asked)
	}
	switch {
	case len(changes) > 0:
		_ = s.commit(changes...)
		s.evict()
	case in.pos != from:
		s.markMeta()
	}
	s.dispatchActions(c, now)
	s.arm(now)
	s.pull(c)
}

// reply classifies one inbound text and applies it: the sequence changes
// at once, the steps that involve other services become pending actions.
func (s *SMS) reply(r messages.WebhookRecord, now time.Time) []store.Change {
	rep, err := messages.ParseSMSReply([]byte(r.Body))
	if err != nil {
		s.d.Log.Error("sms reply in the journal does not parse; skipped", zap.Uint64("seq", r.Seq), zap.Error(err))
		return nil
	}
	// Our clock, not the provider's timestamp: it dates the reply and
	// starts the call-back delay.
	at := r.ReceivedAt
	if at.IsZero() {
		at = now
	}
	if s.ours(rep.From) {
		s.d.Metrics.replies.WithLabelValues("ignored").Inc()
		s.d.Log.Info("sms reply from our own number; ignored", zap.Uint64("seq", r.Seq), zap.String("phone", rep.From.Masked()))
		return nil
	}
	kind := messages.ClassifyReply(rep.Text)
	s.d.Metrics.replies.WithLabelValues(string(kind)).Inc()
	seq := s.seqs[rep.From]
	lead, _ := s.leads.get(rep.From)
	if seq != nil {
		mergeLead(&lead, seq.Lead)
	}
	note := fmt.Sprintf("SMS reply (%s): %q", kind, clip(rep.Text, 160))
	var acts []*action
	newAct := func(what string, due time.Time) *action {
		a := &action{ID: fmt.Sprintf("%d/%s", r.Seq, what), Kind: what, Phone: rep.From, Lead: lead, Seq: r.Seq,
			DueAt: due, CreatedAt: now, Note: note}
		acts = append(acts, a)
		return a
	}
	switch kind {
	case messages.ReplyOptOut:
		if seq == nil {
			seq = &messages.SMSSequence{Phone: rep.From, Lead: lead, CreatedAt: now, Messages: []messages.SMSMessage{}}
			s.seqs[rep.From] = seq
		}
		if seq.Status != messages.SMSOptedOut {
			s.finish(seq, messages.SMSOptedOut, "sms opt-out", now)
		}
		newAct(actBlocklist, now)
		newAct(actRedial, now)
		newAct(actCRM, now).crm("dnc:"+string(rep.From), messages.OutcomeDNC.CRMStatus())
	case messages.ReplyCallback:
		newAct(actCallback, at.Add(s.d.Cfg.CallbackDelay))
		newAct(actCRM, now).crm(fmt.Sprintf("sms:%d:cb", r.Seq), messages.OutcomeCallback.CRMStatus())
	case messages.ReplyNegative:
		if seq != nil && seq.Status == messages.SMSActive {
			s.finish(seq, messages.SMSCancelled, "sms reply: not interested", now)
		}
		newAct(actCRM, now).crm(fmt.Sprintf("sms:%d:ni", r.Seq), messages.OutcomeNotInterested.CRMStatus())
	}
	s.d.Log.Info("sms reply", zap.Uint64("seq", r.Seq), zap.String("phone", rep.From.Masked()),
		zap.String("classification", string(kind)), zap.Strings("actions", messages.ReplyActions(kind)))
	var changes []store.Change
	if seq != nil {
		seq.LastReply, seq.RepliedAt, seq.UpdatedAt = kind, at.UTC(), now
		changes = append(changes, seqChange(seq))
	}
	for _, a := range acts {
		s.actions[a.ID] = a
		changes = append(changes, actionChange(a))
	}
	s.d.Metrics.pending.Set(float64(len(s.actions)))
	return changes
}

// clip cuts s to at most n runes.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// checkIntake is the sweep's look at the replies: a pull never answered is
// asked again, and subscribing again (harmless) makes a journal that
// restarted and forgot us tell us where it is.
func (s *SMS) checkIntake(c actor.Context, now time.Time) {
	if in := &s.replies; in.pulling && now.Sub(in.askedAt) >= pullTimeout {
		s.d.Log.Warn("the journal never answered a pull of replies; asking again", zap.Uint64("after", in.pos))
		in.pulling = false
	}
	c.Send(s.d.Journal, messages.SubscribeJournal{Subscriber: c.Self()})
}
