package bland

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"go.uber.org/zap"

	"orchestrator/actors/internal/httpx"
	"orchestrator/messages"
)

// SMSResult is the provider's id for the sent text; it may be empty when a
// live answer carried none (the text was accepted all the same).
type SMSResult struct {
	MessageID string
	DryRun    bool
}

type smsBody struct {
	PhoneNumber string `json:"phone_number"`
	From        string `json:"from,omitempty"`
	Message     string `json:"message"`
}

// smsAnswer reads the id wherever the provider puts it: at the top level or
// under "data", as a string or a number.
type smsAnswer struct {
	Status    string          `json:"status"`
	MessageID json.RawMessage `json:"message_id"`
	Data      struct {
		MessageID json.RawMessage `json:"message_id"`
		ID        json.RawMessage `json:"id"`
	} `json:"data"`
}

// SendSMS texts text to to from our number from. A live failure is an *Error
// (Retryable says whether the text certainly was not sent), wrapped as
// "bland: sms: ...".
func (c *Client) SendSMS(ctx context.Context, to, from messages.Phone, text string) (SMSResult, error) {
	if err := ctx.Err(); err != nil {
		return SMSResult{}, fmt.Errorf("bland: sms: %w", err)
	}
	if to == "" {
		return SMSResult{}, fmt.Errorf("bland: sms: %w", errNoPhone)
	}
	if !c.live {
		id := dryID()
		c.log.Info("dry-run sms", zap.String("message_id", id), zap.String("phone", to.Masked()),
			zap.String("from", from.Masked()), zap.Int("length", len(text)))
		return SMSResult{MessageID: id, DryRun: true}, nil
	}
	var ans smsAnswer
	resp, err := c.post(ctx, "/v1/sms/send", smsBody{PhoneNumber: string(to), From: string(from), Message: text}, &ans)
	switch {
	case errors.Is(err, ErrUnexpectedAnswer):
		// A 2xx means the provider took the text; failing here would invite a
		// second send, so an unreadable answer only costs us the id.
		c.log.Warn("sms answer not understood", zap.String("phone", to.Masked()), zap.Error(err))
		return SMSResult{}, nil
	case err != nil:
		return SMSResult{}, fmt.Errorf("bland: sms: %w", err)
	case ans.Status == "error":
		return SMSResult{}, fmt.Errorf("bland: sms: %w", unexpected(resp, "status error"))
	}
	id := firstID(ans.MessageID, ans.Data.MessageID, ans.Data.ID)
	c.log.Debug("sms sent", zap.String("message_id", id), zap.String("phone", to.Masked()))
	return SMSResult{MessageID: id}, nil
}

// firstID returns the first of raws that is a non-empty string or a number.
func firstID(raws ...json.RawMessage) string {
	for _, r := range raws {
		if s := httpx.Scalar(r); s != "" {
			return s
		}
	}
	return ""
}
