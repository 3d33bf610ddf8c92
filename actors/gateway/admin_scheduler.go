package gateway

import (
	"net/http"

	"orchestrator/messages"
)

// Off-hours queue and CRM outbox admin routes.
func (g *Gateway) adminSchedulerRoutes(mux *http.ServeMux) {
	mux.Handle("/api/admin/scheduler/queue", methods{
		http.MethodGet: g.admin(func(w http.ResponseWriter, r *http.Request) {
			limit, offset, problem := page(r)
			if problem != "" {
				writeError(w, r, http.StatusBadRequest, "bad_page", problem)
				return
			}
			if res, ok := g.askService(w, r, g.d.Queue, messages.GetQueue{Limit: limit, Offset: offset}); ok {
				writeJSON(w, http.StatusOK, map[string]any{"success": true, "queue": res})
			}
		}),
		http.MethodDelete: g.admin(func(w http.ResponseWriter, r *http.Request) {
			if res, ok := g.askService(w, r, g.d.Queue, messages.ClearQueue{}); ok {
				writeJSON(w, http.StatusOK, map[string]any{"success": true, "removed": res.(messages.QueueCleared).Removed})
			}
		}),
	})
	mux.Handle("/api/admin/scheduler/queue/process", methods{http.MethodPost: g.admin(func(w http.ResponseWriter, r *http.Request) {
		if res, ok := g.askService(w, r, g.d.Queue, messages.ProcessQueue{}); ok {
			writeJSON(w, http.StatusOK, map[string]any{"success": true, "result": res})
		}
	})})
	mux.Handle("/api/admin/crm/outbox", methods{http.MethodGet: g.admin(func(w http.ResponseWriter, r *http.Request) {
		limit, offset, problem := page(r)
		if problem != "" {
			writeError(w, r, http.StatusBadRequest, "bad_page", problem)
			return
		}
		q := messages.GetCRMOutbox{Parked: r.URL.Query().Get("parked") == "true", Limit: limit, Offset: offset}
		if res, ok := g.askService(w, r, g.d.CRM, q); ok {
			writeJSON(w, http.StatusOK, map[string]any{"success": true, "outbox": res})
		}
	})})
}
