package gateway

import (
	"encoding/json"
	"net/http"

	"github.com/asynkron/protoactor-go/actor"

	"orchestrator/messages"
)

// Blocklist admin routes: list, add (idempotent), remove.
func (g *Gateway) adminBlocklistRoutes(mux *http.ServeMux) {
	mux.Handle("/api/admin/blocklist", methods{
		http.MethodGet:  g.admin(g.listBlocks),
		http.MethodPost: g.admin(g.addBlock),
	})
	mux.Handle("/api/admin/blocklist/{id}", methods{http.MethodDelete: g.admin(g.removeBlock)})
}

func (g *Gateway) listBlocks(w http.ResponseWriter, r *http.Request) {
	limit, offset, problem := page(r)
	if problem != "" {
		writeError(w, r, http.StatusBadRequest, "bad_page", problem)
		return
	}
	field := r.URL.Query().Get("field")
	if field != "" && field != messages.BlockPhone && field != messages.BlockLeadID {
		writeError(w, r, http.StatusBadRequest, "bad_field", "field must be phone or lead_id")
		return
	}
	res, ok := g.askService(w, r, g.d.Blocklist, messages.ListBlocks{Field: field, Limit: limit, Offset: offset})
	if !ok {
		return
	}
	list := res.(messages.BlockList)
	if list.Err != "" {
		writeError(w, r, http.StatusServiceUnavailable, "blocklist_unavailable", list.Err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"success": true, "total": list.Total, "limit": limit, "offset": offset, "flags": list.Flags})
}

func (g *Gateway) addBlock(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Field  string `json:"field"`
		Value  string `json:"value"`
		Reason string `json:"reason"`
	}
	body, err := readBody(w, r, 64<<10)
	if err != nil || json.Unmarshal(body, &req) != nil {
		writeError(w, r, http.StatusBadRequest, "bad_json", `body must be {"field": "phone"|"lead_id", "value": "...", "reason": "..."}`)
		return
	}
	res, ok := g.askService(w, r, g.d.Blocklist, messages.AddBlock{Field: req.Field, Value: req.Value, Reason: req.Reason, AddedBy: "admin"})
	if !ok {
		return
	}
	added := res.(messages.BlockAdded)
	switch {
	case added.Err != "":
		writeError(w, r, http.StatusBadRequest, "invalid_flag", added.Err)
	case added.Created:
		writeJSON(w, http.StatusCreated, map[string]any{"success": true, "created": true, "flag": added.Flag})
	default:
		writeJSON(w, http.StatusOK, map[string]any{"success": true, "created": false, "flag": added.Flag})
	}
}

func (g *Gateway) removeBlock(w http.ResponseWriter, r *http.Request) {
	res, ok := g.askService(w, r, g.d.Blocklist, messages.RemoveBlock{ID: r.PathValue("id")})
	if !ok {
		return
	}
	removed := res.(messages.BlockRemoved)
	switch {
	case removed.Err != "":
		writeError(w, r, http.StatusServiceUnavailable, "blocklist_unavailable", removed.Err)
	case !removed.Found:
		writeError(w, r, http.StatusNotFound, "not_found", "no blocklist flag with id "+quote(r.PathValue("id")))
	default:
		writeJSON(w, http.StatusOK, map[string]any{"success": true, "removed": r.PathValue("id")})
	}
}

// askService sends a request to a service and waits, bounded by the request
// timeout; when the service does not answer it writes a 503 and returns false.
func (g *Gateway) askService(w http.ResponseWriter, r *http.Request, pid *actor.PID, msg interface{}) (interface{}, bool) {
	res, err := g.d.System.Root.RequestFuture(pid, msg, g.cfg.Load().HTTP.RequestTimeout).Result()
	if f, failed := res.(messages.Failed); failed {
		err = &serviceError{f.Reason}
	}
	if err != nil {
		w.Header().Set("Retry-After", "5")
		writeError(w, r, http.StatusServiceUnavailable, "service_unavailable", "the service did not answer: "+err.Error())
		return nil, false
	}
	return res, true
}

type serviceError struct{ reason string }

func (e *serviceError) Error() string { return "it failed: " + e.reason }
