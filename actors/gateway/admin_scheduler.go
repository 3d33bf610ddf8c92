package gateway

import (
	"encoding/json"
	"net/http"

	"orchestrator/config"
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

// Scheduler config: the business hours in force, changed at run time
// (validated in full, persisted; the time zone stays the file's).
func (g *Gateway) adminSchedulerConfigRoutes(mux *http.ServeMux) {
	mux.Handle("/api/admin/scheduler/config", methods{
		http.MethodGet: g.admin(func(w http.ResponseWriter, r *http.Request) {
			if res, ok := g.askService(w, r, g.d.Queue, messages.GetSchedulerConfig{}); ok {
				writeJSON(w, http.StatusOK, map[string]any{"success": true, "config": res})
			}
		}),
		http.MethodPut: g.admin(g.putSchedulerConfig),
	})
}

func (g *Gateway) putSchedulerConfig(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(w, r, 64<<10)
	var cfg config.Business
	if err != nil || json.Unmarshal(body, &cfg) != nil {
		writeError(w, r, http.StatusBadRequest, "bad_json",
			`body must be {"days": ["mon",...], "open": "09:00", "close": "17:00", "blackout_dates": [...], "callbacks_anytime": false}`)
		return
	}
	res, ok := g.askService(w, r, g.d.Queue, messages.SetSchedulerConfig{Business: cfg})
	if !ok {
		return
	}
	if sc := res.(messages.SchedulerConfig); sc.Err != "" {
		writeError(w, r, http.StatusBadRequest, "invalid_config", sc.Err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"success": true, "config": res})
}

// Answering-machine tracker: today's counts and per-lead records.
func (g *Gateway) adminAMTrackerRoutes(mux *http.ServeMux) {
	mux.Handle("/api/admin/am-tracker/stats", methods{http.MethodGet: g.admin(func(w http.ResponseWriter, r *http.Request) {
		if res, ok := g.askService(w, r, g.d.AMTracker, messages.GetAMStats{}); ok {
			writeJSON(w, http.StatusOK, map[string]any{"success": true, "stats": res})
		}
	})})
	mux.Handle("/api/admin/am-tracker/config", methods{
		http.MethodGet: g.admin(func(w http.ResponseWriter, r *http.Request) {
			if res, ok := g.askService(w, r, g.d.AMTracker, messages.GetAMConfig{}); ok {
				writeJSON(w, http.StatusOK, map[string]any{"success": true, "config": res.(messages.AMConfig).Config})
			}
		}),
		http.MethodPut: g.admin(g.putAMConfig),
	})
	mux.Handle("/api/admin/am-tracker/records", methods{http.MethodGet: g.admin(func(w http.ResponseWriter, r *http.Request) {
		limit, offset, problem := page(r)
		if problem != "" {
			writeError(w, r, http.StatusBadRequest, "bad_page", problem)
			return
		}
		if res, ok := g.askService(w, r, g.d.AMTracker, messages.GetAMRecords{Limit: limit, Offset: offset}); ok {
			writeJSON(w, http.StatusOK, map[string]any{"success": true, "records": res})
		}
	})})
}

func (g *Gateway) putAMConfig(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(w, r, 64<<10)
	var cfg config.AMTracker
	if err != nil || json.Unmarshal(body, &cfg) != nil {
		writeError(w, r, http.StatusBadRequest, "bad_json", `body must be {"tracked": ["VOICEMAIL", ...], "max_per_day": 4, "prune_at": "20:30"}`)
		return
	}
	res, ok := g.askService(w, r, g.d.AMTracker, messages.SetAMConfig{Config: cfg})
	if !ok {
		return
	}
	if ac := res.(messages.AMConfig); ac.Err != "" {
		writeError(w, r, http.StatusBadRequest, "invalid_config", ac.Err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"success": true, "config": res.(messages.AMConfig).Config})
}
