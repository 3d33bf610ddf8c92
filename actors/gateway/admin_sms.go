package gateway

import (
	"net/http"
	"strings"

	"orchestrator/messages"
)

// SMS drip admin routes: status, sequences, cancel one phone's sequence.
func (g *Gateway) adminSMSRoutes(mux *http.ServeMux) {
	mux.Handle("/api/admin/sms/status", methods{http.MethodGet: g.admin(func(w http.ResponseWriter, r *http.Request) {
		g.smsReply(w, r, messages.GetSMSStatus{})
	})})
	mux.Handle("/api/admin/sms/sequences", methods{http.MethodGet: g.admin(g.smsSequences)})
	mux.Handle("/api/admin/sms/sequences/{phone}/cancel", methods{http.MethodPost: g.admin(g.smsCancel)})
}

func (g *Gateway) smsReply(w http.ResponseWriter, r *http.Request, msg interface{}) {
	if res, ok := g.askService(w, r, g.d.SMS, msg); ok {
		writeJSON(w, http.StatusOK, map[string]any{"success": true, "sms": res})
	}
}

func (g *Gateway) smsSequences(w http.ResponseWriter, r *http.Request) {
	limit, offset, problem := page(r)
	if problem != "" {
		writeError(w, r, http.StatusBadRequest, "bad_page", problem)
		return
	}
	status := strings.ToUpper(strings.TrimSpace(r.URL.Query().Get("status")))
	switch status {
	case "", messages.SMSActive, messages.SMSCompleted, messages.SMSCancelled, messages.SMSOptedOut:
	default:
		writeError(w, r, http.StatusBadRequest, "bad_status", "status must be ACTIVE, COMPLETED, CANCELLED or OPTED_OUT")
		return
	}
	g.smsReply(w, r, messages.GetSMSSequences{Status: status, Limit: limit, Offset: offset})
}

func (g *Gateway) smsCancel(w http.ResponseWriter, r *http.Request) {
	phone, err := messages.NormalizePhone(r.PathValue("phone"))
	if err != nil {
		writeError(w, r, http.StatusBadRequest, "bad_phone", "phone "+quote(r.PathValue("phone"))+" is not a phone number")
		return
	}
	res, ok := g.askService(w, r, g.d.SMS, messages.CancelSMS{Phone: phone})
	if !ok {
		return
	}
	if changed, isChange := res.(messages.SMSChanged); isChange && !changed.Found {
		writeError(w, r, http.StatusNotFound, "not_found", "no sms sequence for "+phone.Masked())
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"success": true, "sms": res})
}
