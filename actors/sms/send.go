package sms

import (
	"errors"
	"strconv"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"go.uber.org/zap"

	"orchestrator/actors/bland"
	"orchestrator/messages"
)

// flight is a text on its way: the blocklist asked (ref), then the provider
// (sending). While a phone has one, nothing else is started for it, so a
// repeated tick cannot send twice.
type flight struct {
	pos     int
	ref     string
	since   time.Time
	sending bool
}

const (
	// checkTimeout releases a text whose blocklist question went unanswered
	// (the blocklist restarted); a later tick asks again.
	checkTimeout = 30 * time.Second
	// maxFailures cancels a sequence whose next text the provider refused
	// this many times in a row (an invalid number).
	maxFailures = 5
)

// check asks the blocklist about seq's phone before its next text.
func (s *SMS) check(c actor.Context, seq *messages.SMSSequence, now time.Time) {
	s.nextRef++
	ref := "b" + strconv.FormatUint(s.nextRef, 10)
	s.flights[seq.Phone] = &flight{pos: seq.Next, ref: ref, since: now}
	s.checks[ref] = seq.Phone
	c.Request(s.d.Blocklist, messages.CheckBlocked{Phone: seq.Phone, LeadID: seq.Lead.LeadID, Ref: ref})
}

// blockAnswered sends the text the blocklist allows, cancels the sequence of
// a blocked phone, and waits when the blocklist cannot say (fail closed).
func (s *SMS) blockAnswered(c actor.Context, m messages.BlockStatus, now time.Time) {
	phone, ok := s.checks[m.Ref]
	if !ok {
		return
	}
	delete(s.checks, m.Ref)
	f := s.flights[phone]
	if f == nil || f.ref != m.Ref || f.sending {
		return
	}
	delete(s.flights, phone)
	defer s.process(c, now)
	seq := s.seqs[phone]
	if seq == nil || seq.Status != messages.SMSActive || seq.Next != f.pos {
		return // cancelled or moved on while we asked
	}
	switch {
	case m.Blocked && m.Unavailable:
		s.d.Metrics.count(resultSkippedUnavailable)
		s.d.Log.Warn("blocklist unavailable; the text waits", zap.String("phone", phone.Masked()))
		s.retryLater(seq, now)
		return
	case m.Blocked:
		s.d.Metrics.count(resultSkippedBlocked)
		s.finish(seq, messages.SMSCancelled, "blocklisted", now)
		_ = s.commit(seqChange(seq))
		return
	}
	if due := s.plan(seq, now); due.IsZero() || due.After(now) { // the window closed while we asked
		seq.NextDue = due
		s.schedule(seq)
		return
	}
	s.startSend(seq, now)
}

// retryLater plans seq's text no sooner than one retry interval from now.
func (s *SMS) retryLater(seq *messages.SMSSequence, now time.Time) {
	seq.NextDue = s.plan(seq, now.Add(s.d.Cfg.RetryInterval))
	s.schedule(seq)
}

// startSend records the intent durably, then texts on a goroutine owned by
// the actor. Without a durable intent nothing is sent: a crash must never
// lead to a second text.
func (s *SMS) startSend(seq *messages.SMSSequence, now time.Time) {
	pos := seq.Next
	text := Fill(s.d.Cfg.Templates[pos], seq.Lead.FirstName, seq.Lead.LastName)
	seq.Messages = append(seq.Messages, messages.SMSMessage{Position: pos, State: messages.SMSSending, At: now})
	seq.UpdatedAt = now
	if err := s.commit(seqChange(seq), intentChange(seq.Phone, pos, text)); err != nil {
		seq.Messages = seq.Messages[:len(seq.Messages)-1]
		s.staged = append(s.staged, seqChange(seq), intentDone(seq.Phone)) // the staged intent must never be stored
		s.d.Metrics.count(resultStoreFailed)
		s.retryLater(seq, now)
		return
	}
	s.flights[seq.Phone] = &flight{pos: pos, since: now, sending: true}
	ctx, to, from, sender, self, send := s.ctx, seq.Phone, s.from(), s.d.Sender, s.self, s.send
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		res, err := sender.SendSMS(ctx, to, from, text)
		send(self, sendDone{phone: to, pos: pos, text: text, res: res, err: err})
	}()
}

// sent records the provider's answer. A refusal that certainly sent nothing
// is retried later; any other failure may have sent the text, so the
// provider's history is asked before anything more is sent to the phone.
func (s *SMS) sent(c actor.Context, m sendDone, now time.Time) {
	if f := s.flights[m.phone]; f != nil && f.sending && f.pos == m.pos {
		delete(s.flights, m.phone)
	}
	if ct := s.cuts[m.phone]; ct != nil && ct.pos == m.pos {
		// The answer of the incarnation before a restart: a success settles
		// the cut text, a failure leaves it to the history lookup.
		if m.err != nil {
			return
		}
		delete(s.cuts, m.phone)
	}
	defer s.process(c, now)
	seq := s.seqs[m.phone]
	i := -1
	if seq != nil {
		for j, msg := range seq.Messages {
			if msg.Position == m.pos && (msg.State == messages.SMSSending || msg.State == messages.SMSUnknown) {
				i = j
			}
		}
	}
	if i < 0 {
		s.d.Log.Warn("provider answer for a text no longer awaited", zap.String("phone", m.phone.Masked()), zap.Int("position", m.pos))
		return
	}
	msg := &seq.Messages[i]
	wasSending := msg.State == messages.SMSSending
	switch {
	case m.err == nil:
		msg.State, msg.MessageID = messages.SMSSent, m.res.MessageID
		seq.Failures = 0
		s.d.Metrics.count(resultSent)
		s.d.Log.Info("sms sent", zap.String("phone", m.phone.Masked()), zap.Int("position", m.pos),
			zap.String("message_id", m.res.MessageID), zap.Bool("dry_run", m.res.DryRun))
	case wasSending && certainlyNotSent(m.err):
		seq.Messages = append(seq.Messages[:i], seq.Messages[i+1:]...)
		seq.Failures++
		seq.UpdatedAt = now
		s.d.Metrics.count(resultFailed)
		s.d.Log.Warn("provider refused a text; retried later", zap.String("phone", m.phone.Masked()), zap.Int("position", m.pos),
			zap.Int("failures", seq.Failures), zap.Error(m.err))
		if seq.Status == messages.SMSActive && seq.Failures >= maxFailures {
			s.finish(seq, messages.SMSCancelled, "provider refused the text "+strconv.Itoa(seq.Failures)+" times", now)
		} else if seq.Status == messages.SMSActive {
			s.retryLater(seq, now)
		}
		_ = s.commit(seqChange(seq), intentDone(m.phone))
		return
	case wasSending:
		// It may have gone out: it stays an intent, nothing else is sent to
		// the phone, and the provider's history settles it on a later retry
		// tick, as for a text cut by a crash (reconcile.go).
		s.cuts[m.phone] = &cut{pos: m.pos, text: m.text, at: msg.At}
		s.d.Metrics.count(resultUncertain)
		s.d.Log.Warn("text may or may not have been sent; the provider's history is asked before anything is sent",
			zap.String("phone", m.phone.Masked()), zap.Int("position", m.pos), zap.Error(m.err))
		return
	}
	if wasSending {
		seq.Next = max(seq.Next, m.pos+1)
	}
	s.moveOn(seq, m.phone, now)
}

// certainlyNotSent reports a failure that cannot have sent the text: the
// request never reached the provider, or it was refused with a 4xx.
func certainlyNotSent(err error) bool {
	var e *bland.Error
	if !errors.As(err, &e) {
		return false
	}
	return e.Retryable || e.Status >= 400 && e.Status < 500
}

// sweep is the safety tick: it releases blocklist questions never answered
// and reply actions never acknowledged, then does whatever is due.
func (s *SMS) sweep(c actor.Context, now time.Time) {
	for ref, phone := range s.checks {
		f := s.flights[phone]
		if f != nil && f.ref == ref && now.Sub(f.since) < checkTimeout {
			continue
		}
		delete(s.checks, ref)
		if f == nil || f.ref != ref {
			continue
		}
		delete(s.flights, phone)
		s.d.Metrics.count(resultSkippedUnavailable)
		s.d.Log.Warn("the blocklist never answered about a text; asked again later", zap.String("phone", phone.Masked()))
		if seq := s.seqs[phone]; seq != nil && seq.Status == messages.SMSActive {
			s.retryLater(seq, now)
		}
	}
	s.releaseAsks(now)
	s.checkIntake(c, now)
	s.process(c, now)
	s.dispatchActions(c, now)
	s.flushMeta()
}

// moveOn stores seq after a text's intent was settled (sent, failed or
// reconciled): the next text is planned, or the drip completed.
func (s *SMS) moveOn(seq *messages.SMSSequence, phone messages.Phone, now time.Time) {
	seq.UpdatedAt = now
	switch {
	case seq.Status != messages.SMSActive:
	case seq.Next >= len(s.d.Cfg.Templates):
		s.finish(seq, messages.SMSCompleted, "every template sent", now)
	default:
		s.replan(seq, now)
	}
	_ = s.commit(seqChange(seq), intentDone(phone))
}
