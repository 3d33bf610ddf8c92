package gateway

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"

	"orchestrator/config"
)

// BenchmarkCompletionWebhook is the gateway's own cost per completion (media
// type, size, parse and validate, append round trip to a journal that
// answers at once, the 200 body, metrics), without the network or a disk.
func BenchmarkCompletionWebhook(b *testing.B) {
	r := newRig(b, config.Default(), &fakeJournal{})
	body := fixture(b, "bland_completion_voicemail.json")
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, "/webhooks/bland-callback", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		r.h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
}
