package bland

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"go.uber.org/zap"

	"orchestrator/actors/internal/httpx"
	"orchestrator/messages"
)

// Text is one message of an SMS conversation as the provider keeps it.
// Fields the answer lacked are empty; At is zero when its time was missing
// or unreadable.
type Text struct {
	ID       string
	Body     string
	From, To messages.Phone // normalised when they parse as phones
	// Inbound is set when the provider says the lead sent it (sender USER,
	// direction inbound).
	Inbound bool
	At      time.Time
}

// SMSHistory is what the provider has of the conversations with one phone.
type SMSHistory struct {
	Texts []Text
	// DryRun: nothing leaves the process in dry-run mode, so there is no
	// history and nothing can be told from it.
	DryRun bool
}

// historyPage is how many conversations one list request asks for, and
// historyPages how many pages are read at most: one phone has a few
// conversations, a busy one a few hundred. More than that means the
// provider ignored the phone filter (the list is the whole account's), and
// an answer that is not the whole history is refused.
const (
	historyPage  = 50
	historyPages = 20
)

// SMSHistory lists the texts of every conversation with phone (GET
// /v1/sms/conversations filtered by user_number, then GET
// /v1/sms/conversations/{id} for each one whose texts the list lacks). Any
// failure, including a 2xx it cannot read in full, is an error wrapped as
// "bland: sms history: ...": an answer is only returned when it is the
// whole history, so a text missing from it was certainly not sent.
func (c *Client) SMSHistory(ctx context.Context, phone messages.Phone) (SMSHistory, error) {
	if err := ctx.Err(); err != nil {
		return SMSHistory{}, fmt.Errorf("bland: sms history: %w", err)
	}
	if phone == "" {
		return SMSHistory{}, fmt.Errorf("bland: sms history: %w", errNoPhone)
	}
	if !c.live {
		c.log.Info("dry-run sms history: none kept", zap.String("phone", phone.Masked()))
		return SMSHistory{DryRun: true}, nil
	}
	convs, err := c.conversations(ctx, phone)
	if err != nil {
		return SMSHistory{}, fmt.Errorf("bland: sms history: %w", err)
	}
	var out SMSHistory
	for _, cv := range convs {
		texts := cv.Messages
		if texts == nil {
			if texts, err = c.conversation(ctx, httpx.Scalar(cv.ID)); err != nil {
				return SMSHistory{}, fmt.Errorf("bland: sms history: %w", err)
			}
		}
		for _, t := range *texts {
			out.Texts = append(out.Texts, t.text())
		}
	}
	c.log.Debug("sms history read", zap.String("phone", phone.Masked()), zap.Int("conversations", len(convs)),
		zap.Int("texts", len(out.Texts)))
	return out, nil
}

// conversations lists the conversations with phone, most recently updated
// first, page by page until the last; those the answer says are with
// another phone are left out.
func (c *Client) conversations(ctx context.Context, phone messages.Phone) ([]conversation, error) {
	var out []conversation
	seen := map[string]bool{}
	for page := 1; ; page++ {
		list, more, err := c.conversationPage(ctx, phone, page)
		if err != nil {
			return nil, err
		}
		for _, cv := range list {
			// A provider that ignores the page number answers the same
			// page again: never loop on it, never count a text twice.
			id := httpx.Scalar(cv.ID)
			if id != "" && seen[id] {
				return nil, &Error{Err: fmt.Errorf("%w: conversation %s listed twice: the pages overlap", ErrUnexpectedAnswer, id)}
			}
			seen[id] = true
			if cv.UserNumber == "" || samePhone(cv.UserNumber, phone) {
				out = append(out, cv)
			}
		}
		if !more {
			return out, nil
		}
		if page == historyPages {
			return nil, &Error{Err: fmt.Errorf("%w: more than %d pages of conversations: the history may go on", ErrUnexpectedAnswer, historyPages)}
		}
	}
}

// conversationPage reads one page of the list; more says another follows:
// the answer's page count says so, or, when it gives none, the page is full.
func (c *Client) conversationPage(ctx context.Context, phone messages.Phone, page int) (list []conversation, more bool, err error) {
	filter, _ := json.Marshal([]map[string]string{{"field": "user_number", "operator": "eq", "value": string(phone)}})
	q := url.Values{"filters": {string(filter)}, "sortBy": {"updated_at"}, "sortDir": {"desc"},
		"page": {strconv.Itoa(page)}, "pageSize": {strconv.Itoa(historyPage)}}
	var ans struct {
		Data          json.RawMessage `json:"data"`
		Conversations []conversation  `json:"conversations"`
		Errors        json.RawMessage `json:"errors"`
		Extra         struct {
			Pagination struct {
				TotalPages int `json:"totalPages"`
			} `json:"pagination"`
		} `json:"extra"`
	}
	resp, err := c.get(ctx, "/v1/sms/conversations?"+q.Encode(), &ans)
	if err != nil {
		return nil, false, err
	}
	if failed(ans.Errors) {
		return nil, false, unexpected(resp, "errors in the answer")
	}
	list = ans.Conversations
	if list == nil {
		var nested struct {
			Conversations []conversation `json:"conversations"`
		}
		if json.Unmarshal(ans.Data, &list) != nil && json.Unmarshal(ans.Data, &nested) == nil {
			list = nested.Conversations
		}
	}
	if list == nil {
		return nil, false, unexpected(resp, "no conversation list")
	}
	if total := ans.Extra.Pagination.TotalPages; total > 0 {
		return list, page < total, nil
	}
	return list, len(list) >= historyPage, nil
}

// conversation reads the texts of conversation id.
func (c *Client) conversation(ctx context.Context, id string) (*[]rawText, error) {
	if id == "" {
		return nil, &Error{Err: fmt.Errorf("%w: a conversation without an id", ErrUnexpectedAnswer)}
	}
	var ans struct {
		Data struct {
			Messages *[]rawText `json:"messages"`
		} `json:"data"`
		Messages *[]rawText      `json:"messages"`
		Errors   json.RawMessage `json:"errors"`
	}
	resp, err := c.get(ctx, "/v1/sms/conversations/"+url.PathEscape(id), &ans)
	switch {
	case err != nil:
		return nil, err
	case failed(ans.Errors):
		return nil, unexpected(resp, "errors in the answer")
	case ans.Data.Messages != nil:
		return ans.Data.Messages, nil
	case ans.Messages != nil:
		return ans.Messages, nil
	}
	return nil, unexpected(resp, "no messages in the conversation")
}

// conversation is one entry of the list; Messages is nil unless the answer
// carried the texts inline.
type conversation struct {
	ID         json.RawMessage `json:"id"`
	UserNumber string          `json:"user_number"`
	Messages   *[]rawText      `json:"messages"`
}

// rawText reads a text under the names providers use for its fields.
type rawText struct {
	ID        json.RawMessage `json:"id"`
	Message   string          `json:"message"`
	Body      string          `json:"body"`
	Text      string          `json:"text"`
	From      string          `json:"from"`
	To        string          `json:"to"`
	Sender    string          `json:"sender"`
	Direction string          `json:"direction"`
	CreatedAt string          `json:"created_at"`
	Timestamp string          `json:"timestamp"`
}

func (r rawText) text() Text {
	return Text{ID: httpx.Scalar(r.ID), Body: firstText(r.Message, r.Body, r.Text), From: phoneOf(r.From), To: phoneOf(r.To),
		Inbound: strings.EqualFold(r.Sender, "user") || strings.HasPrefix(strings.ToLower(r.Direction), "in"),
		At:      parseTime(firstText(r.CreatedAt, r.Timestamp))}
}

// timeLayouts are the spellings of a timestamp accepted; without a zone, UTC.
var timeLayouts = []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999Z07",
	"2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999"}

// parseTime reads s in any of timeLayouts; zero when none fits.
func parseTime(s string) time.Time {
	s = strings.TrimSpace(s)
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t
		}
	}
	return time.Time{}
}

// get asks path and decodes the 2xx answer into answer.
func (c *Client) get(ctx context.Context, path string, answer any) (httpx.Response, error) {
	resp, err := c.http.Do(ctx, httpx.Request{
		Method: http.MethodGet,
		URL:    strings.TrimRight(c.cfg.BaseURL, "/") + path,
		Header: http.Header{"Authorization": {"Bearer " + c.cfg.APIKey.Value()}, "Accept": {"application/json"}},
	})
	if err != nil {
		return resp, err
	}
	if err := json.Unmarshal(resp.Body, answer); err != nil {
		return resp, unexpected(resp, "not JSON")
	}
	return resp, nil
}

// failed reports an "errors" field that is neither absent, null nor empty.
func failed(raw json.RawMessage) bool {
	s := strings.TrimSpace(string(raw))
	return s != "" && s != "null" && s != "[]" && s != "{}"
}

func phoneOf(raw string) messages.Phone {
	if p, err := messages.NormalizePhone(raw); err == nil {
		return p
	}
	return messages.Phone(strings.TrimSpace(raw))
}

func samePhone(raw string, p messages.Phone) bool { return phoneOf(raw) == p }

// firstText is the first non-blank of vs.
func firstText(vs ...string) string {
	for _, v := range vs {
		if strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}
