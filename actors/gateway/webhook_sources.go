package gateway

import (
	"net/http"

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
	c, err := messages.ParseCompletion(body)
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

func parseSMSReply(body []byte) (accepted, error) {
	s, err := messages.ParseSMSReply(body)
	if err != nil {
		return accepted{}, err
	}
	return accepted{
		dedupeKey: messages.SMSDedupeKey(s, body),
		phone:     s.From,
		answer: func(w http.ResponseWriter, r *http.Request, a messages.WebhookAppended) {
			writeJSON(w, http.StatusOK, okBody{Success: true, Message: "SMS reply received",
				RequestID: requestID(r), Classification: messages.ClassifyReply(s.Text), Duplicate: a.Duplicate})
		},
	}, nil
}
