package messages

import (
	"strings"
	"unicode"
)

// SMSReplyKind is what an inbound text asks of us; the sms actor acts on it and the
// sms-reply webhook answers with it.
type SMSReplyKind string

// The reply kinds, checked in this order (an opt-out wins over everything, for compliance).
const (
	ReplyOptOut   SMSReplyKind = "opt_out"
	ReplyCallback SMSReplyKind = "callback"
	ReplyNegative SMSReplyKind = "negative"
	ReplyOther    SMSReplyKind = "other"
)

// ClassifyReply sorts a lead's text into opt-out, callback, negative or other. It matches
// whole words on the upper-cased text, clause by clause (split at . , ! ? ; :), so
// "stopped by" is not STOP, "NOT INTERESTED" is not INTERESTED, and "No, call me" is a
// callback. Opt-out is checked first: wrongly texting someone who said STOP is the
// expensive mistake, wrongly stopping is not.
func ClassifyReply(text string) SMSReplyKind {
	clauses := replyClauses(text)
	for _, c := range clauses {
		if c.optsOut() {
			return ReplyOptOut
		}
	}
	for _, c := range clauses {
		if c.wantsCallback() {
			return ReplyCallback
		}
	}
	for _, c := range clauses {
		if c.declines() {
			return ReplyNegative
		}
	}
	return ReplyOther
}

// replyClause is one clause of a reply as upper-case words, plus the words joined and
// padded with spaces so a phrase can be found on word boundaries with strings.Index.
type replyClause struct {
	words  []string
	padded string
}

// replyClauses splits text into clauses of words: letters and digits make words,
// apostrophes vanish ("DON'T" → "DONT"), clause punctuation ends a clause, and anything
// else (spaces, dashes, emoji, invalid UTF-8) separates words.
func replyClauses(text string) []replyClause {
	var clauses []replyClause
	var words []string
	var word strings.Builder
	endWord := func() {
		if word.Len() > 0 {
			words = append(words, word.String())
			word.Reset()
		}
	}
	endClause := func() {
		endWord()
		if len(words) > 0 {
			clauses = append(clauses, replyClause{words: words, padded: " " + strings.Join(words, " ") + " "})
			words = nil
		}
	}
	for _, r := range strings.ToUpper(text) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			word.WriteRune(r)
		case r == '\'' || r == '’' || r == '‘' || r == '`':
		case strings.ContainsRune(".,!?;:\n\r", r):
			endClause()
		default:
			endWord()
		}
	}
	endClause()
	return clauses
}

// optsOut reports STOP and its variants. CANCEL, END, QUIT, REMOVE and REVOKE are common
// words, so they count only alone (give or take "please") or followed by what they would
// stop ("quit texting", "remove me"): "end of day call me" is a callback.
func (c replyClause) optsOut() bool {
	for i, w := range c.words {
		switch w {
		case "STOP", "STOPALL", "UNSUBSCRIBE", "UNSUB", "OPTOUT", "DNC":
			return true
		case "CANCEL", "END", "QUIT", "REMOVE", "REVOKE":
			if c.onlyFillersBesides(i) || (i+1 < len(c.words) && isStopObject(c.words[i+1])) {
				return true
			}
		}
	}
	return c.hasPhrase(false,
		"OPT OUT", "OPT ME OUT", "REMOVE ME", "TAKE ME OFF", "TAKE MY NUMBER OFF",
		"TAKE THIS NUMBER OFF", "OFF YOUR LIST", "OFF THE LIST", "OFF YOUR CALL LIST",
		"OFF YOUR CALLING LIST", "OFF YOUR TEXT LIST", "OFF YOUR MAILING LIST",
		"DO NOT CALL", "DO NOT TEXT", "DO NOT CONTACT", "DO NOT MESSAGE",
		"DONT CALL", "DONT TEXT", "DONT CONTACT", "DONT MESSAGE",
		"NEVER CALL", "NEVER TEXT", "NEVER CONTACT", "NO MORE TEXTS", "NO MORE TEXT",
		"NO MORE CALLS", "NO MORE MESSAGES", "LEAVE ME ALONE", "LOSE MY NUMBER",
		"DELETE MY NUMBER",
		// Not an opt-out word, but texting a wrong number again is the same TCPA exposure.
		"WRONG NUMBER",
	)
}

// wantsCallback reports a request to be called: yes-words and "interested" unless negated,
// short agreements ("Sure", "OK"), a clause that starts with CALL, and call-me phrases.
func (c replyClause) wantsCallback() bool {
	for i, w := range c.words {
		switch w {
		case "YES", "YESS", "YEAH", "YEA", "YEP", "YUP", "INTERESTED", "CALLBACK":
			if !c.negated(i) {
				return true
			}
		case "SURE", "OK", "OKAY", "K", "Y", "YA", "ALRIGHT", "ABSOLUTELY", "DEFINITELY":
			// Alone they agree to our offer; inside a sentence they mean too little.
			if c.onlyFillersBesides(i) {
				return true
			}
		}
	}
	if c.words[0] == "CALL" {
		return true
	}
	return c.hasPhrase(true,
		"CALL ME", "CALL BACK", "GIVE ME A CALL", "GIVE ME A RING", "RING ME",
		"PLEASE CALL", "CAN YOU CALL", "COULD YOU CALL", "YOU CAN CALL", "YOU MAY CALL",
		"OK CALL", "OKAY CALL", "CALL NOW", "CALL ANYTIME", "CALL TOMORROW", "CALL LATER",
		"CALL AFTER", "CALL AROUND", "CALL AT", "CALL MY", "TALK TO AN AGENT",
		"SPEAK TO AN AGENT", "SPEAK WITH AN AGENT",
	)
}

// declines reports a plain no: a short clause starting or ending with NO, a negated
// "interested", or a polite refusal ("no thanks", "already have insurance").
func (c replyClause) declines() bool {
	n := len(c.words)
	switch c.words[0] {
	case "NO", "NOPE", "NAH", "NAW", "N", "NEVER":
		if n <= 3 {
			return true
		}
		switch c.words[1] {
		case "THANKS", "THANK", "THX", "TY", "WAY", "SIR", "MAAM", "INTEREST", "IM", "I":
			return true
		}
	}
	if n <= 3 && (c.words[n-1] == "NO" || c.words[n-1] == "NOPE") {
		return true
	}
	for i, w := range c.words {
		if w == "INTERESTED" && c.negated(i) {
			return true
		}
	}
	return c.hasPhrase(false,
		"UNINTERESTED", "NO INTEREST", "NO THANKS", "NO THANK YOU", "NOT LOOKING",
		"NOT NEEDED", "DONT NEED", "DO NOT NEED", "DONT WANT", "DO NOT WANT", "NO NEED",
		"NOT FOR ME", "ALREADY HAVE", "ALREADY GOT", "ALREADY COVERED", "ALREADY INSURED",
		"ALREADY ENROLLED", "IM GOOD", "I AM GOOD", "IM ALL SET", "ALL SET",
	)
}

// hasPhrase reports whether any phrase occurs as whole words; with skipNegated, an
// occurrence right after a negation ("don't call me back") does not count.
func (c replyClause) hasPhrase(skipNegated bool, phrases ...string) bool {
	for _, p := range phrases {
		needle := " " + p + " "
		for from := 0; ; {
			i := strings.Index(c.padded[from:], needle)
			if i < 0 {
				break
			}
			at := from + i
			// The words before the match are the spaces before it, minus the leading pad.
			word := strings.Count(c.padded[:at+1], " ") - 1
			if !skipNegated || !c.negated(word) {
				return true
			}
			from = at + 1
		}
	}
	return false
}

// negated reports a negation within the three words before word i, which covers
// "not interested", "not really interested" and "no longer interested".
func (c replyClause) negated(i int) bool {
	for j := max(0, i-3); j < i; j++ {
		switch c.words[j] {
		case "NOT", "NO", "NEVER", "DONT", "DOESNT", "ISNT", "ARENT", "WONT", "CANT",
			"WASNT", "WERENT", "LONGER", "NOPE", "NAH":
			return true
		}
	}
	return false
}

// onlyFillersBesides reports whether every word other than word i is politeness.
func (c replyClause) onlyFillersBesides(i int) bool {
	for j, w := range c.words {
		if j == i {
			continue
		}
		switch w {
		case "PLEASE", "PLS", "PLZ", "NOW", "IT", "ALL", "THANKS", "THANK", "YOU", "THX",
			"TY", "JUST", "OK", "OKAY":
		default:
			return false
		}
	}
	return true
}

// isStopObject reports a word that, after CANCEL/END/QUIT/REMOVE, names what to stop.
func isStopObject(w string) bool {
	switch w {
	case "ME", "MY", "US", "THIS", "FROM", "TEXTING", "TEXTS", "TEXT", "MESSAGES",
		"MESSAGING", "CALLING", "CALLS", "CONTACTING", "SUBSCRIPTION", "ALL":
		return true
	}
	return false
}
