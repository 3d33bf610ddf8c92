package gateway

import (
	"net/http"
	"strings"

	"orchestrator/messages"
)

// Redial queue admin routes: status, records, pause/resume/remove one phone,
// process now, enable and disable.
func (g *Gateway) adminRedialRoutes(mux *http.ServeMux) {
	mux.Handle("/api/admin/redial-queue/status", methods{http.MethodGet: g.admin(func(w http.ResponseWriter, r *http.Request) {
		g.redialReply(w, r, messages.GetRedialStatus{})
	})})
	mux.Handle("/api/admin/redial-queue/records", methods{http.MethodGet: g.admin(g.redialRecords)})
	mux.Handle("/api/admin/redial-queue/process", methods{http.MethodPost: g.admin(func(w http.ResponseWriter, r *http.Request) {
		g.redialReply(w, r, messages.ProcessRedial{})
	})})
	mux.Handle("/api/admin/redial-queue/enable", methods{http.MethodPost: g.admin(func(w http.ResponseWriter, r *http.Request) {
		g.redialReply(w, r, messages.EnableRedial{Enabled: true})
	})})
	mux.Handle("/api/admin/redial-queue/disable", methods{http.MethodPost: g.admin(func(w http.ResponseWriter, r *http.Request) {
		g.redialReply(w, r, messages.EnableRedial{Enabled: false})
	})})
	mux.Handle("/api/admin/redial-queue/lead/{phone}", methods{http.MethodDelete: g.admin(func(w http.ResponseWriter, r *http.Request) {
		g.redialLead(w, r, func(p messages.Phone) interface{} { return messages.RemoveRedial{Phone: p} })
	})})
	mux.Handle("/api/admin/redial-queue/lead/{phone}/{action}", methods{http.MethodPost: g.admin(func(w http.ResponseWriter, r *http.Request) {
		switch r.PathValue("action") {
		case "pause":
			g.redialLead(w, r, func(p messages.Phone) interface{} { return messages.PauseRedial{Phone: p} })
		case "resume":
			g.redialLead(w, r, func(p messages.Phone) interface{} { return messages.ResumeRedial{Phone: p} })
		default:
			writeError(w, r, http.StatusNotFound, "not_found", "action must be pause or resume")
		}
	})})
}

func (g *Gateway) redialReply(w http.ResponseWriter, r *http.Request, msg interface{}) {
	if res, ok := g.askService(w, r, g.d.Redial, msg); ok {
		writeJSON(w, http.StatusOK, map[string]any{"success": true, "redial": res})
	}
}

func (g *Gateway) redialRecords(w http.ResponseWriter, r *http.Request) {
	limit, offset, problem := page(r)
	if problem != "" {
		writeError(w, r, http.StatusBadRequest, "bad_page", problem)
		return
	}
	status := strings.TrimSpace(r.URL.Query().Get("status"))
	switch status {
	case "", messages.RedialPending, messages.RedialDailyCap, messages.RedialPaused, messages.RedialDone,
		messages.RedialScheduledCallback:
	default:
		writeError(w, r, http.StatusBadRequest, "bad_status", "status must be pending, scheduled_callback, daily_cap, paused or completed")
		return
	}
	g.redialReply(w, r, messages.GetRedialRecords{Status: status, Ready: r.URL.Query().Get("ready") == "true", Limit: limit, Offset: offset})
}

func (g *Gateway) redialLead(w http.ResponseWriter, r *http.Request, msg func(messages.Phone) interface{}) {
	phone, err := messages.NormalizePhone(r.PathValue("phone"))
	if err != nil {
		writeError(w, r, http.StatusBadRequest, "bad_phone", "phone "+quote(r.PathValue("phone"))+" is not a phone number")
		return
	}
	res, ok := g.askService(w, r, g.d.Redial, msg(phone))
	if !ok {
		return
	}
	if changed, isChange := res.(messages.RedialChanged); isChange && !changed.Found {
		writeError(w, r, http.StatusNotFound, "not_found", "no redial record for "+phone.Masked())
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"success": true, "redial": res})
}
