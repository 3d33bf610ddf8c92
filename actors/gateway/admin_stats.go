package gateway

import (
	"net/http"
	"time"

	"orchestrator/messages"
)

// Statistics admin routes: today, one date, a date range and all time, each
// answered {success, timestamp, statistics}.
func (g *Gateway) adminStatsRoutes(mux *http.ServeMux) {
	mux.Handle("/api/admin/statistics/today", methods{http.MethodGet: g.admin(func(w http.ResponseWriter, r *http.Request) {
		g.dayStats(w, r, "") // the stats actor's today, in its business zone
	})})
	mux.Handle("/api/admin/statistics/date/{date}", methods{http.MethodGet: g.admin(func(w http.ResponseWriter, r *http.Request) {
		date := r.PathValue("date")
		if _, err := time.Parse(time.DateOnly, date); err != nil {
			writeError(w, r, http.StatusBadRequest, "bad_date", "date must be a date YYYY-MM-DD, got "+quote(date))
			return
		}
		g.dayStats(w, r, date)
	})})
	mux.Handle("/api/admin/statistics/range", methods{http.MethodGet: g.admin(g.rangeStats)})
	mux.Handle("/api/admin/statistics/all-time", methods{http.MethodGet: g.admin(func(w http.ResponseWriter, r *http.Request) {
		if res, ok := g.askStats(w, r, messages.GetAllTimeStats{}); ok {
			writeStats(w, res)
		}
	})})
}

func (g *Gateway) dayStats(w http.ResponseWriter, r *http.Request, date string) {
	res, ok := g.askStats(w, r, messages.GetDayStats{Date: date})
	if !ok {
		return
	}
	day, _ := res.(messages.DayStatsResult) // the actor answers nothing else
	if day.Err != "" {
		writeError(w, r, http.StatusBadRequest, "bad_date", day.Err)
		return
	}
	writeStats(w, day.Stats)
}

// rangeStats checks start_date and end_date here, so every problem is a 400
// naming the parameter before the actor is asked.
func (g *Gateway) rangeStats(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	start, end := q.Get("start_date"), q.Get("end_date")
	if start == "" || end == "" {
		writeError(w, r, http.StatusBadRequest, "missing_dates", "start_date and end_date (YYYY-MM-DD) are both required")
		return
	}
	if _, err := messages.StatsRangeDays(start, end); err != nil {
		writeError(w, r, http.StatusBadRequest, "bad_range", err.Error())
		return
	}
	res, ok := g.askStats(w, r, messages.GetStatsRange{Start: start, End: end})
	if !ok {
		return
	}
	rng, _ := res.(messages.StatsRange)
	if rng.Err != "" {
		writeError(w, r, http.StatusBadRequest, "bad_range", rng.Err)
		return
	}
	writeStats(w, rng)
}

func (g *Gateway) askStats(w http.ResponseWriter, r *http.Request, msg interface{}) (interface{}, bool) {
	if g.d.Stats == nil {
		w.Header().Set("Retry-After", "5")
		writeError(w, r, http.StatusServiceUnavailable, "service_unavailable", "the statistics service is not running")
		return nil, false
	}
	return g.askService(w, r, g.d.Stats, msg)
}

func writeStats(w http.ResponseWriter, v any) {
	writeJSON(w, http.StatusOK, map[string]any{"success": true, "timestamp": time.Now().UTC(), "statistics": v})
}
