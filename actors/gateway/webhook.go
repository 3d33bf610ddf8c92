package gateway

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"go.uber.org/zap"

	"orchestrator/messages"
)

// accepted is what a parser extracts for the journal and the answer.
type accepted struct {
	dedupeKey string
	phone     messages.Phone
	leadID    string
	callID    string
	// answer writes the source's success body (its old shape).
	answer func(w http.ResponseWriter, r *http.Request, a messages.WebhookAppended)
}

type parser func(body []byte) (accepted, error)

// auth says how a source authenticates: the shared token, or the provider's
// HMAC signature over the raw body.
type auth int

const (
	authToken auth = iota
	authSignature
)

// webhook is the one intake pipeline every source goes through, in this
// order: media type (415), token (401), body size (413), signature (401),
// parse and validate (400), durable append (429 when the journal cannot),
// then the source's 2xx. Nothing in it answers 5xx.
func (g *Gateway) webhook(source string, a auth, parse parser) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rw := &resultWriter{ResponseWriter: w, result: "accepted"}
		defer func() {
			g.d.Metrics.webhooks.WithLabelValues(source, rw.result).Inc()
			g.d.Metrics.duration.WithLabelValues(source).Observe(time.Since(start).Seconds())
		}()
		cfg := g.cfg.Load()
		if !jsonMediaType(r.Header.Get("Content-Type")) {
			rw.fail(r, http.StatusUnsupportedMediaType, "unsupported_media", "unsupported_media_type",
				fmt.Sprintf("Content-Type must be application/json, got %q", r.Header.Get("Content-Type")))
			return
		}
		if a == authToken && !tokenOK(r, cfg.Webhooks.Token.Value()) {
			rw.fail(r, http.StatusUnauthorized, "unauthorized", "unauthorized", "missing or wrong webhook token (X-Webhook-Token header or token query parameter)")
			return
		}
		body, err := readBody(rw, r, int64(cfg.HTTP.MaxBody))
		if err != nil {
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				rw.fail(r, http.StatusRequestEntityTooLarge, "too_large", "body_too_large",
					fmt.Sprintf("body is larger than the %s limit (http.max_body)", cfg.HTTP.MaxBody))
				return
			}
			rw.fail(r, http.StatusBadRequest, "invalid", "unreadable_body", "could not read the request body: "+err.Error())
			return
		}
		if a == authSignature && !signatureOK(r, body, cfg.Bland.WebhookSecret.Value()) {
			rw.fail(r, http.StatusUnauthorized, "unauthorized", "bad_signature", "missing or wrong X-Webhook-Signature (hex HMAC-SHA256 of the body)")
			return
		}
		acc, err := parse(body)
		if err != nil {
			g.rejectInvalid(rw, r, source, body, err)
			return
		}
		res := g.append(r, messages.AppendWebhook{
			Source: source, RequestID: requestID(r), DedupeKey: acc.dedupeKey, Result: messages.ResultProcessed,
			Phone: acc.phone, LeadID: acc.leadID, CallID: acc.callID,
			Headers: keptHeaders(r), Body: body, ReceivedAt: start.UTC(),
		})
		if res.Err != "" {
			rw.Header().Set("Retry-After", strconv.Itoa(int(cfg.Journal.RetryAfter.Round(time.Second).Seconds())))
			rw.fail(r, http.StatusTooManyRequests, "unavailable", "journal_unavailable",
				"the webhook could not be made durable ("+res.Err+"); nothing was recorded, retry later")
			return
		}
		if res.Duplicate {
			rw.result = "duplicate"
		}
		acc.answer(rw, r, res)
	}
}

// rejectInvalid answers 400 naming the problem and journals the rejected
// webhook too, marked as a validation failure, so operators can see it.
func (g *Gateway) rejectInvalid(rw *resultWriter, r *http.Request, source string, body []byte, err error) {
	g.append(r, messages.AppendWebhook{
		Source: source, RequestID: requestID(r), Result: messages.ResultValidationFailed, Error: err.Error(),
		Headers: keptHeaders(r), Body: body, ReceivedAt: time.Now().UTC(),
	})
	var verr *messages.ValidationError
	if errors.As(err, &verr) {
		rw.result = "invalid"
		writeJSON(rw, http.StatusBadRequest, struct {
			errorBody
			Fields []messages.FieldError `json:"fields"`
		}{errorBody{Error: "invalid_fields", Message: verr.Error(), RequestID: requestID(r)}, verr.Fields})
		return
	}
	rw.fail(r, http.StatusBadRequest, "invalid", "bad_json", err.Error())
}

// append asks the journal for a durable append, bounded by the request's
// time budget; no answer in time is reported like a failed append (429).
func (g *Gateway) append(r *http.Request, msg messages.AppendWebhook) messages.WebhookAppended {
	timeout := g.cfg.Load().HTTP.RequestTimeout
	if dl, ok := r.Context().Deadline(); ok && time.Until(dl) < timeout {
		timeout = time.Until(dl)
	}
	reply := make(chan messages.WebhookAppended, 1)
	msg.Reply = reply
	g.d.System.Root.Send(g.d.Journal, msg)
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case res := <-reply:
		return res
	case <-t.C:
		g.d.Log.Warn("journal did not answer in time", zap.String("request_id", msg.RequestID), zap.Duration("timeout", timeout))
		return messages.WebhookAppended{Err: "journal did not answer in time"}
	}
}

func jsonMediaType(ct string) bool {
	if ct == "application/json" { // what nearly every sender sends: no parse, no allocation
		return true
	}
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}

// readBody reads at most limit bytes; a longer body is a *http.MaxBytesError.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	if r.ContentLength > limit {
		return nil, &http.MaxBytesError{Limit: limit}
	}
	body := http.MaxBytesReader(w, r.Body, limit)
	if r.ContentLength > 0 {
		// Exactly sized: the body may be kept in the journal's recent ring,
		// where ReadAll's doubling slack would cost up to twice its size.
		buf := make([]byte, r.ContentLength)
		if _, err := io.ReadFull(body, buf); err != nil {
			return nil, err
		}
		return buf, nil
	}
	return io.ReadAll(body)
}

// keptHeaders are the request headers worth keeping in the audit log; the
// webhook token is a secret and is never stored.
func keptHeaders(r *http.Request) map[string]string {
	h := map[string]string{}
	for _, k := range []string{"Content-Type", "User-Agent", "X-Forwarded-For", "X-Webhook-Signature"} {
		if v := r.Header.Get(k); v != "" {
			h[strings.ToLower(k)] = v
		}
	}
	return h
}

// resultWriter remembers the metric result of one webhook.
type resultWriter struct {
	http.ResponseWriter
	result string
}

func (rw *resultWriter) fail(r *http.Request, status int, result, code, message string) {
	rw.result = result
	writeError(rw, r, status, code, message)
}
