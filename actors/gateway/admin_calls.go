package gateway

import (
	"net/http"

	"orchestrator/messages"
)

// Calls admin routes: calls in flight, one call, a phone's history with its
// blocklist status.
func (g *Gateway) adminCallsRoutes(mux *http.ServeMux) {
	mux.Handle("/api/admin/calls/active", methods{http.MethodGet: g.admin(func(w http.ResponseWriter, r *http.Request) {
		if res, ok := g.askService(w, r, g.d.Calls, messages.GetActiveCalls{}); ok {
			list := res.(messages.CallList)
			writeJSON(w, http.StatusOK, map[string]any{"success": true, "count": len(list.Calls), "calls": list.Calls})
		}
	})})
	mux.Handle("/api/admin/calls/{call_id}", methods{http.MethodGet: g.admin(func(w http.ResponseWriter, r *http.Request) {
		res, ok := g.askService(w, r, g.d.Calls, messages.GetCall{CallID: r.PathValue("call_id")})
		if !ok {
			return
		}
		found := res.(messages.CallLookup)
		if !found.Found {
			writeError(w, r, http.StatusNotFound, "not_found", "no call with id "+quote(r.PathValue("call_id")))
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"success": true, "call": found.Call})
	})})
	mux.Handle("/api/admin/calls/history/{phone}", methods{http.MethodGet: g.admin(g.phoneHistory)})
}

func (g *Gateway) phoneHistory(w http.ResponseWriter, r *http.Request) {
	phone, err := messages.NormalizePhone(r.PathValue("phone"))
	if err != nil {
		writeError(w, r, http.StatusBadRequest, "bad_phone", "phone "+quote(r.PathValue("phone"))+" is not a phone number")
		return
	}
	res, ok := g.askService(w, r, g.d.Calls, messages.GetPhoneHistory{Phone: phone})
	if !ok {
		return
	}
	blocked, ok := g.askService(w, r, g.d.Blocklist, messages.CheckBlocked{Phone: phone})
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"success": true, "history": res.(messages.PhoneHistory), "blocklist": blocked.(messages.BlockStatus)})
}
