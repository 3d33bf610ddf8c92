package gateway

import (
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// admin guards an admin route: 403 while no key is configured (the API is
// off by default), 401 on a missing or wrong x-api-key.
func (g *Gateway) admin(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		key := g.cfg.Load().Admin.APIKey.Value()
		if key == "" {
			writeError(w, r, http.StatusForbidden, "admin_disabled",
				"the admin API is disabled until admin.api_key is set (ORCH_ADMIN__API_KEY)")
			return
		}
		if !apiKeyOK(r, key) {
			writeError(w, r, http.StatusUnauthorized, "unauthorized", "missing or wrong x-api-key header")
			return
		}
		h(w, r)
	}
}

// page reads limit and offset: limit 1..500 [50], offset >= 0 [0].
func page(r *http.Request) (limit, offset int, problem string) {
	limit, offset = 50, 0
	if s := r.URL.Query().Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 500 {
			return 0, 0, fmt.Sprintf("limit must be a whole number from 1 to 500, got %q", s)
		}
		limit = n
	}
	if s := r.URL.Query().Get("offset"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return 0, 0, fmt.Sprintf("offset must be a whole number >= 0, got %q", s)
		}
		offset = n
	}
	return limit, offset, ""
}

// today is the business-time calendar day.
func (g *Gateway) today() string { return time.Now().In(g.d.Location).Format(time.DateOnly) }
