package gateway

import (
	"net/http"

	"orchestrator/messages"
)

// One parser per source: what the journal keeps beside the raw body, and the
// success body in the shape the replaced service answered with.

func parseLead(body []byte) (accepted, error) {
	lead, err := messages.ParseLead(body)
	if err != nil {
		return accepted{}, err
	}
	return accepted{
		dedupeKey: messages.BodyDedupeKey(messages.SourceLead, body),
		phone:     lead.Phone, leadID: lead.LeadID,
		answer: func(w http.ResponseWriter, r *http.Request, a messages.WebhookAppended) {
			writeJSON(w, http.StatusAccepted, map[string]any{
				"success": true, "message": "Lead received and queued for calling", "request_id": requestID(r),
				"duplicate": a.Duplicate,
			})
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
			writeJSON(w, http.StatusAccepted, map[string]any{
				"success": true, "message": "Call-back request received", "request_id": requestID(r),
				"duplicate": a.Duplicate,
			})
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
			writeJSON(w, http.StatusOK, map[string]any{
				"success": true, "message": "Call completion received", "request_id": requestID(r),
				"call_id": c.CallID, "duplicate": a.Duplicate,
			})
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
			writeJSON(w, http.StatusOK, map[string]any{
				"success": true, "message": "SMS reply received", "request_id": requestID(r),
				"classification": messages.ClassifyReply(s.Text), "duplicate": a.Duplicate,
			})
		},
	}, nil
}
