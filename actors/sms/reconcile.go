package sms

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"go.uber.org/zap"

	"orchestrator/actors/bland"
	"orchestrator/actors/store"
	"orchestrator/messages"
)

// A text whose intent was stored but whose provider answer never was (a
// kill -9, a stop or restart while it was being sent) may or may not have
// gone out. Such a "cut" text stays an intent, in the store and in the
// sequence, until the provider's history tells: found there, it is recorded
// as sent; certainly absent, the intent is dropped and the text is due
// again through the normal path (blocklist, window, daily cap). While the
// provider cannot say, nothing is sent and the next retry tick asks again.

// intentPrefix keys the words of the text an intent is about, so a cut text
// is looked for as it was sent even after a template or a name changed.
const intentPrefix = "intent/"

// lookSkew is how long before the intent a text found in the history may be
// stamped: the provider's clock is not ours.
const lookSkew = 5 * time.Minute

// intentRecord is the value under intentPrefix + phone.
type intentRecord struct {
	Position int    `json:"position"`
	Text     string `json:"text"`
}

func intentChange(phone messages.Phone, pos int, text string) store.Change {
	raw, _ := json.Marshal(intentRecord{Position: pos, Text: text})
	return store.Change{Key: intentPrefix + string(phone), Value: raw}
}

func intentDone(phone messages.Phone) store.Change {
	return store.Change{Key: intentPrefix + string(phone)}
}

// cut is a text whose intent outlived the run that stored it.
type cut struct {
	pos    int
	text   string
	at     time.Time // the intent's
	asking bool      // a history lookup is out
}

// lookupDone is the provider's history of a phone with a cut text.
type lookupDone struct {
	phone messages.Phone
	pos   int
	at    time.Time // the intent's
	hist  bland.SMSHistory
	err   error
}

// holdIntent keeps seq's unanswered intent as a cut text to look up, with
// the words stored with it (or, from before they were stored, the words
// its template gives now). It reports false when there is nothing to look
// for; the caller then settles the intent as unknown.
func (s *SMS) holdIntent(seq *messages.SMSSequence, m messages.SMSMessage, rec *intentRecord) bool {
	text := ""
	switch {
	case rec != nil && rec.Position == m.Position:
		text = rec.Text
	case m.Position < len(s.d.Cfg.Templates):
		text = Fill(s.d.Cfg.Templates[m.Position], seq.Lead.FirstName, seq.Lead.LastName)
	}
	if strings.TrimSpace(text) == "" {
		return false
	}
	s.cuts[seq.Phone] = &cut{pos: m.Position, text: text, at: m.At}
	s.d.Log.Warn("an SMS intent has no provider answer from before the stop; the provider's history is asked before anything is sent",
		zap.String("phone", seq.Phone.Masked()), zap.Int("position", m.Position), zap.Time("intent_at", m.At))
	return true
}

// lookUp asks the provider's history about each cut text not being asked
// about, a few at a time. It runs on the retry tick, never at start: the
// first look comes one sms.retry_interval after the start, so a text the
// provider took just before the stop has had time to reach its history.
func (s *SMS) lookUp() {
	out := 0
	for _, ct := range s.cuts {
		if ct.asking {
			out++
		}
	}
	for phone, ct := range s.cuts {
		if out >= maxFlights {
			return
		}
		if ct.asking {
			continue
		}
		ct.asking, out = true, out+1
		ctx, sender, self, send, pos, at := s.ctx, s.d.Sender, s.self, s.send, ct.pos, ct.at
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			hist, err := sender.SMSHistory(ctx, phone)
			send(self, lookupDone{phone: phone, pos: pos, at: at, hist: hist, err: err})
		}()
	}
}

// lookedUp settles a cut text from the provider's history: found → sent;
// absent → the intent is dropped and the text is due again; no history (dry
// run) → unknown, counted as sent, as nothing can ever tell; the provider
// could not say → asked again on the next retry tick.
func (s *SMS) lookedUp(c actor.Context, m lookupDone, now time.Time) {
	ct := s.cuts[m.phone]
	if ct == nil || ct.pos != m.pos || !ct.at.Equal(m.at) {
		return // settled meanwhile
	}
	ct.asking = false
	log := s.d.Log.With(zap.String("phone", m.phone.Masked()), zap.Int("position", m.pos), zap.Time("intent_at", ct.at))
	if m.err != nil {
		s.d.Metrics.count(resultLookupFailed)
		log.Warn("the provider's SMS history could not be read; the cut text is asked about again later", zap.Error(m.err))
		return
	}
	delete(s.cuts, m.phone)
	seq, i := s.intentOf(m.phone, m.pos)
	if i < 0 {
		_ = s.commit(intentDone(m.phone))
		return
	}
	msg := &seq.Messages[i]
	switch found, ok := inHistory(m.hist.Texts, m.phone, ct.text, ct.at); {
	case m.hist.DryRun:
		msg.State = messages.SMSUnknown
		seq.Next = max(seq.Next, m.pos+1)
		s.d.Metrics.count(resultUnknown)
		log.Warn("an SMS intent has no provider answer from before the stop; counted as sent, never sent again (dry run: no history)")
	case ok:
		msg.State, msg.MessageID = messages.SMSSent, found.ID
		seq.Next = max(seq.Next, m.pos+1)
		seq.Failures = 0
		s.d.Metrics.count(resultReconciledSent)
		log.Info("a text cut by the stop is in the provider's history; recorded as sent", zap.String("message_id", found.ID),
			zap.Time("sent_at", found.At))
	default:
		seq.Messages = append(seq.Messages[:i], seq.Messages[i+1:]...)
		s.d.Metrics.count(resultReconciledAbsent)
		log.Warn("a text cut by the stop is not in the provider's history; it is sent when due",
			zap.Int("history_texts", len(m.hist.Texts)), zap.String("status", seq.Status))
	}
	s.moveOn(seq, m.phone, now)
	s.process(c, now)
}

// intentOf finds the unanswered intent for position pos of phone's
// sequence; i is -1 when there is none.
func (s *SMS) intentOf(phone messages.Phone, pos int) (seq *messages.SMSSequence, i int) {
	seq = s.seqs[phone]
	if seq == nil {
		return nil, -1
	}
	for j, msg := range seq.Messages {
		if msg.Position == pos && msg.State == messages.SMSSending {
			return seq, j
		}
	}
	return seq, -1
}

// inHistory finds text among texts: the same words (spacing and case
// aside), not sent by the lead, stamped no earlier than lookSkew before the
// intent at (a text with no readable time counts). Matching generously
// errs towards "sent": a text missed is one lost, a text wrongly found
// absent is one sent twice.
func inHistory(texts []bland.Text, phone messages.Phone, text string, at time.Time) (bland.Text, bool) {
	want := strings.Join(strings.Fields(text), " ")
	for _, t := range texts {
		if t.Inbound || t.From == phone {
			continue
		}
		if !t.At.IsZero() && t.At.Before(at.Add(-lookSkew)) {
			continue
		}
		if strings.EqualFold(strings.Join(strings.Fields(t.Body), " "), want) {
			return t, true
		}
	}
	return bland.Text{}, false
}
