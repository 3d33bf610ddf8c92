package gateway

import (
	"net/http"
	"slices"

	"orchestrator/config"
	"orchestrator/messages"
)

// One parser per source: what the journal keeps beside the raw body, and the
// success body in the shape the replaced service answered with.

// okBody is the success body of every webhook; a struct, not a map, because
// it is encoded on the hot path.
type okBody struct {
	Success        bool                  `json:"success"`
	Message        string                `json:"message"`
	RequestID      string                `json:"request_id"`
	CallID         string                `json:"call_id,omitempty"`
	Classification messages.SMSReplyKind `json:"classification,omitempty"`
	Duplicate      bool                  `json:"duplicate"`
}

func parseLead(body []byte) (accepted, error) {
	lead, err := messages.ParseLead(body)
	if err != nil {
		return accepted{}, err
	}
	return accepted{
		dedupeKey: messages.BodyDedupeKey(messages.SourceLead, body),
		phone:     lead.Phone, leadID: lead.LeadID,
		answer: func(w http.ResponseWriter, r *http.Request, a messages.WebhookAppended) {
			writeJSON(w, http.StatusAccepted, okBody{Success: true, Message: "Lead received and queued for calling",
				RequestID: requestID(r), Duplicate: a.Duplicate})
		},
	}, nil
}

func parseCallBack(body []byte) (accepted, error) {
	lead, err := messages.ParseCallBack(body)
	if err != nil {
		return accepted{}, err
	}
	return accepted{
		dedupeKey: messages.BodyDedupeKey(messages.SourceCallBack, body),
		phone:     lead.Phone, leadID: lead.LeadID,
		answer: func(w http.ResponseWriter, r *http.Request, a messages.WebhookAppended) {
			writeJSON(w, http.StatusAccepted, okBody{Success: true, Message: "Call-back request received",
				RequestID: requestID(r), Duplicate: a.Duplicate})
		},
	}, nil
}

func parseCompletion(body []byte) (accepted, error) {
	c, err := messages.ParseCompletionHead(body)
	if err != nil {
		return accepted{}, err
	}
	return accepted{
		dedupeKey: messages.CompletionDedupeKey(c),
		phone:     c.Phone, leadID: c.LeadID, callID: c.CallID,
		answer: func(w http.ResponseWriter, r *http.Request, a messages.WebhookAppended) {
			writeJSON(w, http.StatusOK, okBody{Success: true, Message: "Call completion received",
				RequestID: requestID(r), CallID: c.CallID, Duplicate: a.Duplicate})
		},
	}, nil
}

// smsReplyBody is the sms-reply answer: the classification and what the
// sms actor does about it (an empty list when nothing). The actions are
// promised: once the reply is in the journal the sms actor applies it and
// retries each step until its service acknowledges it.
type smsReplyBody struct {
	okBody
	Actions []string `json:"actions"`
}

// parseSMSReply classifies the text for the answer. A text from one of our
// own numbers is journaled like any other, and ignored by the sms actor.
func (g *Gateway) parseSMSReply(body []byte) (accepted, error) {
	s, err := messages.ParseSMSReply(body)
	if err != nil {
		return accepted{}, err
	}
	kind, message, actions := messages.ClassifyReply(s.Text), "SMS reply received", []string{}
	if ownNumber(s.From, g.cfg.Load()) {
		message = "ignored: from our own number"
	} else {
		actions = messages.ReplyActions(kind)
	}
	return accepted{
		dedupeKey: messages.SMSDedupeKey(s, body),
		phone:     s.From,
		answer: func(w http.ResponseWriter, r *http.Request, a messages.WebhookAppended) {
			writeJSON(w, http.StatusOK, smsReplyBody{okBody: okBody{Success: true, Message: message,
				RequestID: requestID(r), Classification: kind, Duplicate: a.Duplicate}, Actions: actions})
		},
	}, nil
}

// ownNumber reports whether p is one of the numbers we call and text from.
func ownNumber(p messages.Phone, cfg *config.Config) bool {
	return string(p) == cfg.SMS.FromNumber || slices.Contains(cfg.Bland.FromNumbers, string(p))
}
