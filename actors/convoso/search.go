package convoso

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"go.uber.org/zap"

	"orchestrator/actors/internal/httpx"
	"orchestrator/messages"
)

// SearchLeads returns the CRM leads whose primary phone is phone (none in
// dry-run). A live failure is an *Error, wrapped as "convoso: search leads: ...".
func (c *Client) SearchLeads(ctx context.Context, phone messages.Phone) ([]messages.Lead, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("convoso: search leads: %w", err)
	}
	if phone == "" {
		return nil, fmt.Errorf("convoso: search leads: %w", errNoPhone)
	}
	if !c.live {
		c.log.Info("dry-run lead search", zap.String("phone", phone.Masked()))
		return nil, nil
	}
	data, err := c.post(ctx, "/v1/leads/search", url.Values{"phone_number": {nationalNumber(phone)}})
	if err != nil {
		return nil, fmt.Errorf("convoso: search leads: %w", err)
	}
	leads := parseEntries(data, phone)
	c.log.Debug("leads found", zap.String("phone", phone.Masked()), zap.Int("count", len(leads)))
	return leads, nil
}

// errNoPhone refuses a search with nothing to search for, before sending.
var errNoPhone = errors.New("no phone number")

// nationalNumber is how the CRM stores phones: 10 digits for +1 numbers, the
// digits without "+" otherwise.
func nationalNumber(p messages.Phone) string {
	s := string(p)
	if n, ok := strings.CutPrefix(s, "+1"); ok && len(n) == 10 {
		return n
	}
	return strings.TrimPrefix(s, "+")
}

// parseEntries reads data.entries (or data itself when it is a list),
// leniently: ids may be strings or numbers, unknown scalars go to Extra, and
// an entry without an id is skipped. A phone that does not normalise falls
// back to the phone searched for.
func parseEntries(data json.RawMessage, searched messages.Phone) []messages.Lead {
	var entries []map[string]json.RawMessage
	var wrapped struct {
		Entries []map[string]json.RawMessage `json:"entries"`
	}
	if json.Unmarshal(data, &wrapped) == nil {
		entries = wrapped.Entries
	} else if json.Unmarshal(data, &entries) != nil {
		return nil
	}
	leads := make([]messages.Lead, 0, len(entries))
	for _, e := range entries {
		l := messages.Lead{Phone: searched}
		for k, raw := range e {
			if v := httpx.Scalar(raw); v != "" && !setField(&l, k, v) {
				if l.Extra == nil {
					l.Extra = map[string]string{}
				}
				l.Extra[k] = v
			}
		}
		l.LeadID = cmp.Or(httpx.Scalar(e["id"]), httpx.Scalar(e["lead_id"]))
		if p, err := messages.NormalizePhone(httpx.Scalar(e["phone_number"])); err == nil {
			l.Phone = p
		}
		if l.LeadID != "" {
			leads = append(leads, l)
		}
	}
	return leads
}

// setField sets the messages.Lead field an entry key names and reports
// whether it is one (a switch, not a map, so nothing can mutate it).
func setField(l *messages.Lead, k, v string) bool {
	switch k {
	case "id", "lead_id", "phone_number": // read after the loop: they need a choice or normalising
	case "list_id":
		l.ListID = v
	case "first_name":
		l.FirstName = v
	case "last_name":
		l.LastName = v
	case "state":
		l.State = v
	case "status":
		l.Status = v
	case "email":
		l.Email = v
	case "address1":
		l.Address1 = v
	case "city":
		l.City = v
	case "postal_code":
		l.PostalCode = v
	case "date_of_birth":
		l.DateOfBirth = v
	case "age":
		l.Age = v
	default:
		return false
	}
	return true
}
