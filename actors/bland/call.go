package bland

import (
	"context"
	"errors"
	"fmt"

	"go.uber.org/zap"

	"orchestrator/messages"
)

// CallRequest is one outbound call: the phone to dial, the lead behind it (its
// facts reach the pathway as request_data), our caller id and what asked for it.
type CallRequest struct {
	Phone messages.Phone
	Lead  messages.Lead
	From  string // caller id (E.164); empty lets the provider choose
	Kind  string // what asked for the call (new lead, call-back, redial, ...), echoed in metadata
}

// CallResult is the provider's id for the placed call.
type CallResult struct {
	CallID string
	DryRun bool
}

// callBody is the JSON the provider receives, with the fields the old service sent.
type callBody struct {
	PhoneNumber      string            `json:"phone_number"`
	PathwayID        string            `json:"pathway_id,omitempty"`
	StartNodeID      string            `json:"start_node_id,omitempty"`
	Task             string            `json:"task,omitempty"`
	RequestData      map[string]string `json:"request_data"`
	From             string            `json:"from,omitempty"`
	Voice            string            `json:"voice,omitempty"`
	MaxDuration      float64           `json:"max_duration,omitempty"` // minutes
	VoicemailMessage string            `json:"voicemail_message,omitempty"`
	VoicemailAction  string            `json:"voicemail_action,omitempty"`
	Webhook          string            `json:"webhook,omitempty"`
	Wait             bool              `json:"wait"`
	Metadata         map[string]string `json:"metadata"`
}

// callAnswer is the provider's answer to POST /v1/calls.
type callAnswer struct {
	Status string `json:"status"`
	CallID string `json:"call_id"`
}

// errNoPhone refuses a request with nothing to dial before anything is sent.
var errNoPhone = errors.New("no phone number")

// Call asks the provider to dial req.Phone. A live failure is an *Error (its
// Retryable says whether the call certainly was not placed), wrapped as
// "bland: call: ...".
func (c *Client) Call(ctx context.Context, req CallRequest) (CallResult, error) {
	if err := ctx.Err(); err != nil {
		return CallResult{}, fmt.Errorf("bland: call: %w", err)
	}
	if req.Phone == "" {
		return CallResult{}, fmt.Errorf("bland: call: %w", errNoPhone)
	}
	if !c.live {
		id := dryID()
		c.log.Info("dry-run call", zap.String("call_id", id), zap.String("phone", req.Phone.Masked()),
			zap.String("from", messages.Phone(req.From).Masked()), zap.String("lead_id", req.Lead.LeadID),
			zap.String("list_id", req.Lead.ListID), zap.String("kind", req.Kind))
		return CallResult{CallID: id, DryRun: true}, nil
	}
	var ans callAnswer
	resp, err := c.post(ctx, "/v1/calls", c.callBody(req), &ans)
	switch {
	case err != nil:
		return CallResult{}, fmt.Errorf("bland: call: %w", err)
	case ans.Status != "" && ans.Status != "success":
		return CallResult{}, fmt.Errorf("bland: call: %w", unexpected(resp, "status "+ans.Status))
	case ans.CallID == "":
		return CallResult{}, fmt.Errorf("bland: call: %w", unexpected(resp, "no call_id"))
	}
	c.log.Debug("call placed", zap.String("call_id", ans.CallID), zap.String("phone", req.Phone.Masked()),
		zap.String("lead_id", req.Lead.LeadID))
	return CallResult{CallID: ans.CallID}, nil
}

func (c *Client) callBody(req CallRequest) callBody {
	return callBody{
		PhoneNumber:      string(req.Phone),
		PathwayID:        c.cfg.PathwayID,
		StartNodeID:      c.cfg.StartNodeID,
		Task:             c.cfg.Task,
		RequestData:      requestData(req.Phone, req.Lead),
		From:             req.From,
		Voice:            c.cfg.Voice,
		MaxDuration:      c.cfg.MaxDuration.Minutes(),
		VoicemailMessage: c.cfg.VoicemailMessage,
		VoicemailAction:  c.cfg.VoicemailAction,
		Webhook:          c.cfg.WebhookURL,
		Wait:             false,
		Metadata:         map[string]string{"lead_id": req.Lead.LeadID, "list_id": req.Lead.ListID, "kind": req.Kind},
	}
}

// requestData is the lead's facts as the pathway's variables; the completion
// webhook echoes them back (variables.lead_id, variables.list_id). Modelled
// fields win over same-named Extra ones; empty values are left out.
func requestData(phone messages.Phone, l messages.Lead) map[string]string {
	d := make(map[string]string, len(l.Extra)+13)
	for k, v := range l.Extra {
		d[k] = v
	}
	for k, v := range map[string]string{
		"lead_id": l.LeadID, "list_id": l.ListID, "phone_number": string(phone),
		"first_name": l.FirstName, "last_name": l.LastName, "state": l.State, "status": l.Status,
		"email": l.Email, "address1": l.Address1, "city": l.City, "postal_code": l.PostalCode,
		"date_of_birth": l.DateOfBirth, "age": l.Age,
	} {
		if v != "" {
			d[k] = v
		}
	}
	return d
}
