package gateway

import (
	"context"
	"fmt"
	"net/http"
	"runtime/debug"
	"sort"
	"strings"

	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.uber.org/zap"

	"orchestrator/messages"
)

// methods routes one path by method and answers 405 with Allow, as JSON,
// for any other method.
type methods map[string]http.HandlerFunc

func (m methods) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h, ok := m[r.Method]; ok {
		h(w, r)
		return
	}
	if r.Method == http.MethodHead {
		if h, ok := m[http.MethodGet]; ok {
			h(w, r)
			return
		}
	}
	allowed := make([]string, 0, len(m))
	for k := range m {
		allowed = append(allowed, k)
	}
	sort.Strings(allowed)
	w.Header().Set("Allow", strings.Join(allowed, ", "))
	writeError(w, r, http.StatusMethodNotAllowed, "method_not_allowed",
		fmt.Sprintf("%s is not allowed on %s; use %s", r.Method, r.URL.Path, strings.Join(allowed, " or ")))
}

// routes is the whole HTTP surface; handlers live in one file per concern.
func (g *Gateway) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/livez", methods{http.MethodGet: g.livez})
	mux.Handle("/readyz", methods{http.MethodGet: g.readyz})
	mux.Handle("/health", methods{http.MethodGet: g.health})
	mux.Handle("/metrics", methods{http.MethodGet: promhttp.HandlerFor(g.d.Gatherer, promhttp.HandlerOpts{
		ErrorLog: zap.NewStdLog(g.d.Log), ErrorHandling: promhttp.ContinueOnError,
	}).ServeHTTP})
	mux.Handle("/webhooks/"+messages.SourceLead, methods{http.MethodPost: g.webhook(messages.SourceLead, authToken, parseLead)})
	mux.Handle("/webhooks/"+messages.SourceCallBack, methods{http.MethodPost: g.webhook(messages.SourceCallBack, authToken, parseCallBack)})
	mux.Handle("/webhooks/"+messages.SourceCompletion, methods{http.MethodPost: g.webhook(messages.SourceCompletion, authSignature, parseCompletion)})
	mux.Handle("/webhooks/"+messages.SourceSMSReply, methods{http.MethodPost: g.webhook(messages.SourceSMSReply, authToken, g.parseSMSReply)})
	g.adminWebhookLogRoutes(mux)
	g.adminBlocklistRoutes(mux)
	g.adminCallsRoutes(mux)
	g.adminSchedulerRoutes(mux)
	g.adminSchedulerConfigRoutes(mux)
	g.adminAMTrackerRoutes(mux)
	g.adminRedialRoutes(mux)
	g.adminStatsRoutes(mux)
	g.adminSMSRoutes(mux)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, r, http.StatusNotFound, "not_found", fmt.Sprintf("no route for %s %s", r.Method, r.URL.Path))
	})
	return g.edge(mux)
}

// edge gives every request an id and turns a handler panic (a bug) into a
// logged 500 instead of a dropped connection.
func (g *Gateway) edge(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-ID")
		if len(id) == 0 || len(id) > 64 || strings.ContainsFunc(id, func(c rune) bool { return c < 0x21 || c > 0x7e }) {
			id = newRequestID()
		}
		w.Header().Set("X-Request-ID", id)
		r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, id))
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				g.d.Log.Error("panic in http handler", zap.String("request_id", id), zap.String("path", r.URL.Path),
					zap.Any("reason", p), zap.ByteString("stack", debug.Stack()))
				writeError(w, r, http.StatusInternalServerError, "internal", "the daemon hit a bug handling this request; it has been logged")
			}
		}()
		next.ServeHTTP(w, r)
	})
}
