package convoso

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"

	"go.uber.org/zap"
)

// MaxNote bounds the summary and the transcript sent to the CRM: a 30-minute
// call's transcript can run to tens of KiB, more than a lead field holds.
const MaxNote = 8 << 10

// LeadUpdate is one change to a CRM lead. Status is the CRM status code
// (messages.Outcome.CRMStatus, or "DNC"); empty fields are not sent. Fields are
// extra lead fields by their CRM names; they cannot override the named ones.
type LeadUpdate struct {
	LeadID, ListID string
	Status         string
	Summary        string // sent as "notes"
	Transcript     string // sent as "transcript", cut to 8 KiB
	Fields         map[string]string
}

// errNoLead refuses an update with no lead to apply it to, before sending.
var errNoLead = errors.New("no lead_id")

// UpdateLead applies u in the CRM. A live failure is an *Error, wrapped as
// "convoso: update lead: ..."; an update is idempotent, so the crm outbox may
// retry any failure on its own schedule.
func (c *Client) UpdateLead(ctx context.Context, u LeadUpdate) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("convoso: update lead: %w", err)
	}
	if u.LeadID == "" {
		return fmt.Errorf("convoso: update lead: %w", errNoLead)
	}
	form := updateForm(u)
	if !c.live {
		c.log.Info("dry-run lead update", zap.String("lead_id", u.LeadID), zap.String("list_id", u.ListID),
			zap.String("status", u.Status), zap.Int("fields", len(form)))
		return nil
	}
	if _, err := c.post(ctx, "/v1/leads/update", form); err != nil {
		return fmt.Errorf("convoso: update lead: %w", err)
	}
	c.log.Debug("lead updated", zap.String("lead_id", u.LeadID), zap.String("status", u.Status))
	return nil
}

// updateForm is u as form values (without the auth token, which post adds).
func updateForm(u LeadUpdate) url.Values {
	form := url.Values{}
	for k, v := range u.Fields {
		if k != "" && v != "" {
			form.Set(k, v)
		}
	}
	set := func(k, v string) {
		if v != "" {
			form.Set(k, v)
		} else {
			form.Del(k) // a named field left empty is not overridden by Fields either
		}
	}
	set("lead_id", u.LeadID)
	set("list_id", u.ListID)
	set("status", u.Status)
	set("notes", Clip(u.Summary, MaxNote))
	set("transcript", Clip(u.Transcript, MaxNote))
	form.Del("auth_token")
	return form
}

// Clip cuts s to at most n bytes on a rune boundary, marking the cut; the
// CRM outbox uses it too, so what it keeps is what will be sent.
func Clip(s string, n int) string {
	const mark = "…"
	if len(s) <= n {
		return s
	}
	cut := n - len(mark)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strings.TrimRight(s[:cut], " \n") + mark
}
