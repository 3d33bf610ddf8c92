package gateway

import (
	"net/http"
	"time"

	"orchestrator/messages"
)

// Webhook-log admin routes: today, a date, and searches by phone or lead,
// newest first, each with the day's counts.
func (g *Gateway) adminWebhookLogRoutes(mux *http.ServeMux) {
	mux.Handle("/api/admin/webhook-logs/today", methods{http.MethodGet: g.admin(func(w http.ResponseWriter, r *http.Request) {
		g.webhookLog(w, r, messages.QueryWebhookLog{Day: g.today()})
	})})
	mux.Handle("/api/admin/webhook-logs/{date}", methods{http.MethodGet: g.admin(func(w http.ResponseWriter, r *http.Request) {
		day := r.PathValue("date")
		if _, err := time.Parse(time.DateOnly, day); err != nil {
			writeError(w, r, http.StatusBadRequest, "bad_date", "date must be YYYY-MM-DD, got "+quote(day))
			return
		}
		g.webhookLog(w, r, messages.QueryWebhookLog{Day: day})
	})})
	mux.Handle("/api/admin/webhook-logs/search/phone/{phone}", methods{http.MethodGet: g.admin(func(w http.ResponseWriter, r *http.Request) {
		phone, err := messages.NormalizePhone(r.PathValue("phone"))
		if err != nil {
			writeError(w, r, http.StatusBadRequest, "bad_phone", "phone "+quote(r.PathValue("phone"))+" is not a phone number")
			return
		}
		g.webhookLog(w, r, messages.QueryWebhookLog{Phone: phone})
	})})
	mux.Handle("/api/admin/webhook-logs/search/lead/{lead_id}", methods{http.MethodGet: g.admin(func(w http.ResponseWriter, r *http.Request) {
		g.webhookLog(w, r, messages.QueryWebhookLog{LeadID: r.PathValue("lead_id")})
	})})
}

func (g *Gateway) webhookLog(w http.ResponseWriter, r *http.Request, q messages.QueryWebhookLog) {
	limit, offset, problem := page(r)
	if problem != "" {
		writeError(w, r, http.StatusBadRequest, "bad_page", problem)
		return
	}
	q.Limit, q.Offset = limit, offset
	res, err := g.d.System.Root.RequestFuture(g.d.Journal, q, g.cfg.Load().HTTP.RequestTimeout).Result()
	pg, ok := res.(messages.WebhookLogPage)
	if err != nil || !ok || pg.Err != "" {
		reason := pg.Err
		if err != nil {
			reason = err.Error()
		}
		w.Header().Set("Retry-After", "5")
		writeError(w, r, http.StatusServiceUnavailable, "journal_unavailable", "the webhook log could not be read: "+reason)
		return
	}
	if pg.Records == nil {
		pg.Records = []messages.WebhookRecord{}
	}
	writeJSON(w, http.StatusOK, struct {
		Success   bool      `json:"success"`
		Timestamp time.Time `json:"timestamp"`
		messages.WebhookLogPage
	}{true, time.Now().UTC(), pg})
}

func quote(s string) string {
	if len(s) > 64 {
		s = s[:64] + "…"
	}
	return `"` + s + `"`
}
