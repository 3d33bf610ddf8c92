package calls

import (
	"strconv"

	"github.com/asynkron/protoactor-go/actor"
	"go.uber.org/zap"

	"orchestrator/messages"
)

// resend serves one consumer's messages.ResendCompletions: the journal's
// completion records are read from pos, a page at a time, and each whose
// completion calls published is rebuilt and sent again, until the resend
// has caught up with what calls has applied.
//
// While it runs, publish sends this consumer only completions at or before
// pos (those held back, which come late whatever happens); later ones are
// left to the resend, which reaches them in the journal. So the consumer
// sees completions in journal order and cannot record as applied one that
// lies past a completion it has yet to be resent.
type resend struct {
	ref    string
	to     *actor.PID
	after  uint64 // the consumer's applied sequence
	pos    uint64 // the last journal sequence looked at
	readAt uint64 // calls' applied sequence when the page in flight was asked for
	sent   int
}

// resendTick asks for a resend's next page once the consumers have drained.
type resendTick struct{ ref string }

// resendBatch is how many records one page of a resend asks for.
const resendBatch = 256

var resendSources = []string{messages.SourceCompletion}

// resendCompletions starts a resend. A consumer asking again (it restarted)
// replaces its resend in progress: its new applied sequence is the one that
// counts.
func (s *Calls) resendCompletions(c actor.Context, m messages.ResendCompletions) {
	to := m.To
	if to == nil {
		to = c.Sender()
	}
	if to == nil {
		s.d.Log.Warn("a resend of completions asked for by nobody; ignored")
		return
	}
	for ref, r := range s.resends {
		if r.to.Equal(to) {
			delete(s.resends, ref)
			s.timers.Cancel("resend/" + ref)
		}
	}
	from, ok := s.resendFrom(m.After)
	if !ok {
		s.send(to, messages.CompletionsResent{Through: s.applied})
		s.d.Log.Info("no completion to resend", zap.String("to", to.Id), zap.Uint64("after", m.After),
			zap.Uint64("applied_seq", s.applied))
		return
	}
	s.resendN++
	r := &resend{ref: strconv.FormatUint(s.incarnation, 10) + "/" + strconv.FormatUint(s.resendN, 10),
		to: to, after: m.After, pos: from}
	s.resends[r.ref] = r
	s.d.Log.Info("resending completions", zap.String("to", to.Id), zap.Uint64("after", m.After),
		zap.Uint64("from_seq", from), zap.Uint64("applied_seq", s.applied))
	s.resendNext(c, r)
}

// resendFrom is the journal sequence a resend after `after` reads from: just
// before the oldest completion it may have to publish again. Only those
// published once calls had applied `after` or more can be (resendable), so
// the publication index is read from there. ok is false when there is none:
// nothing calls remembers was published after `after`.
func (s *Calls) resendFrom(after uint64) (from uint64, ok bool) {
	scanned(s.d.Bucket.LoadFrom(pubPrefix, pubKey(after, 0), func(k, _ []byte) error {
		if _, completed := pubSeqs(k); completed != 0 && completed != after && (!ok || completed-1 < from) {
			from, ok = completed-1, true
		}
		return nil
	}))
	return from, ok
}

// resendable says whether a consumer that has applied `after` may have missed
// the completion published for cl. Consumers receive completions in the
// order of publication, and PublishedSeq never decreases along it, so every
// completion published after the one with sequence `after` (the consumer's
// last) has PublishedSeq ≥ after: those later in the journal, and those held
// back and published late. The completion with sequence `after` itself is
// the consumer's own, applied.
func resendable(cl *call, after uint64) bool {
	if cl.State != stateDone || cl.CompletedSeq == 0 {
		return false // not completed, or completed before calls recorded which record did it
	}
	return cl.CompletedSeq > after || cl.CompletedSeq < after && cl.PublishedSeq >= after
}

// resendNext asks the journal for the resend's next page, once the consumers'
// mailboxes are short enough (as the intake does).
func (s *Calls) resendNext(c actor.Context, r *resend) {
	if s.d.Backlog != nil && s.d.Backlog() > maxBacklog {
		s.timers.After("resend/"+r.ref, backlogWait, resendTick{ref: r.ref})
		return
	}
	r.readAt = s.applied
	c.Request(s.d.Journal, messages.ReplayJournal{After: r.pos, Limit: resendBatch, Sources: resendSources, Ref: r.ref})
}

func (s *Calls) resendTicked(c actor.Context, ref string) {
	if r, ok := s.resends[ref]; ok {
		s.resendNext(c, r)
	}
}

// resendPage sends a page's completions again. The resend is done when the
// journal had no more and nothing was applied while the page was read:
// every completion calls published is then either resent or, being at or
// before pos, sent by publish itself.
func (s *Calls) resendPage(c actor.Context, b messages.JournalBatch) {
	r, ok := s.resends[b.Ref]
	if !ok {
		return // replaced by a newer request, or asked by an earlier incarnation
	}
	if b.Err != "" {
		s.d.Log.Error("cannot read the journal to resend completions", zap.String("to", r.to.Id), zap.String("err", b.Err))
		s.resendDone(r, "cannot read the journal: "+b.Err)
		return
	}
	for _, rec := range b.Records {
		r.pos = max(r.pos, rec.Seq)
		if cc, ok := s.republication(rec, r.after); ok {
			s.send(r.to, cc)
			r.sent++
		}
	}
	if b.More || s.applied > r.readAt {
		s.resendNext(c, r)
		return
	}
	s.resendDone(r, "")
}

// republication rebuilds the CallCompleted published from rec, when it is
// one a consumer that applied `after` may lack. A completion calls does not
// hold as published is skipped: forgotten by the prune (a week after the
// call ended), never published (a second status of a call), or still held
// back or staged (it is published normally).
func (s *Calls) republication(rec messages.WebhookRecord, after uint64) (messages.CallCompleted, bool) {
	if rec.Source != messages.SourceCompletion || rec.Result != messages.ResultProcessed {
		return messages.CallCompleted{}, false
	}
	cc, err := completionOf(rec)
	if err != nil {
		return messages.CallCompleted{}, false
	}
	cl := s.callByID(cc.CallID, cc.Phone)
	if cl == nil || cl.CompletedSeq != rec.Seq || !resendable(cl, after) || s.unpublished(rec.Seq) {
		return messages.CallCompleted{}, false
	}
	return cl.publication(cc), true
}

// unpublished says whether the completion of record seq waits in the outbox.
func (s *Calls) unpublished(seq uint64) bool {
	for _, cc := range s.outbox {
		if cc.Seq == seq {
			return true
		}
	}
	return false
}

// resendWillSend says whether a resend to pid will send it the completion of
// record seq, so publish must not.
func (s *Calls) resendWillSend(pid *actor.PID, seq uint64) bool {
	for _, r := range s.resends {
		if seq > r.pos && r.to.Equal(pid) {
			return true
		}
	}
	return false
}

// resendDone ends a resend and tells its consumer.
func (s *Calls) resendDone(r *resend, failed string) {
	delete(s.resends, r.ref)
	s.timers.Cancel("resend/" + r.ref)
	through := s.applied
	if failed != "" {
		through = r.pos
	}
	s.send(r.to, messages.CompletionsResent{Through: through, Err: failed})
	s.d.Log.Info("completions resent", zap.String("to", r.to.Id), zap.Uint64("after", r.after), zap.Int("sent", r.sent),
		zap.Uint64("through", through), zap.String("err", failed))
}

// abortResends tells every consumer still being resent to that its resend
// ends unfinished: this incarnation stops. It asks again (of the next one).
func (s *Calls) abortResends() {
	for _, r := range s.resends {
		s.resendDone(r, "the calls actor stopped before the resend was complete; ask again")
	}
}
