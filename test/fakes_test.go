package test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
)

// fakeBland is the voice provider on loopback: it records every
// POST /v1/calls and answers with a new call id, or with failStatus.
type fakeBland struct {
	srv        *httptest.Server
	mu         sync.Mutex
	calls      []map[string]any
	failStatus int
	hangAfter  int           // > 0: requests after this many never get an answer
	release    chan struct{} // closed at cleanup to free hung handlers
	got        chan struct{} // one value per request received
}

func newFakeBland(t *testing.T) *fakeBland {
	f := &fakeBland{release: make(chan struct{}), got: make(chan struct{}, 1024)}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/v1/calls" || r.Header.Get("Authorization") != "Bearer bland-key" {
			http.Error(w, "unexpected request", http.StatusBadRequest)
			return
		}
		var body map[string]any
		_ = json.NewDecoder(r.Body).Decode(&body)
		f.mu.Lock()
		f.calls = append(f.calls, body)
		n, fail, hang := len(f.calls), f.failStatus, f.hangAfter
		f.mu.Unlock()
		f.got <- struct{}{}
		if hang > 0 && n > hang {
			<-f.release // the provider took the call and never answered
			return
		}
		if fail != 0 {
			http.Error(w, `{"status":"error"}`, fail)
			return
		}
		fmt.Fprintf(w, `{"status":"success","call_id":"fake-call-%d"}`, n)
	}))
	t.Cleanup(f.srv.Close)
	t.Cleanup(func() { close(f.release) }) // runs first: frees hung handlers so Close can return
	return f
}

func (f *fakeBland) dialled() []map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]map[string]any(nil), f.calls...)
}

func (f *fakeBland) setFail(status int) {
	f.mu.Lock()
	f.failStatus = status
	f.mu.Unlock()
}

// fakeCRM is the CRM on loopback: it records lead updates, or answers 503
// while down.
type fakeCRM struct {
	srv     *httptest.Server
	mu      sync.Mutex
	updates []url.Values
	down    bool
	refused chan struct{} // one value per request refused while down
	got     chan url.Values
}

func newFakeCRM(t *testing.T) *fakeCRM {
	f := &fakeCRM{got: make(chan url.Values, 64), refused: make(chan struct{}, 1024)}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(body))
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.down {
			f.refused <- struct{}{}
			http.Error(w, "maintenance", http.StatusServiceUnavailable)
			return
		}
		if r.URL.Path == "/v1/leads/update" {
			f.updates = append(f.updates, form)
			f.got <- form
		}
		fmt.Fprint(w, `{"success":true,"data":{"entries":[]}}`)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeCRM) setDown(down bool) {
	f.mu.Lock()
	f.down = down
	f.mu.Unlock()
}

// liveConfig points both providers at the fakes, in live mode.
func liveConfig(b *fakeBland, c *fakeCRM) string {
	return webhookConfig + `
bland:
  mode: live
  api_key: bland-key
  base_url: ` + b.srv.URL + `
  retry_backoff: 10ms
  from_numbers: ["+15555550188"]
convoso:
  mode: live
  auth_token: crm-token
  base_url: ` + c.srv.URL + `
  retry_backoff: 10ms
  max_retries: 0
crm:
  retry_min: 50ms
  retry_max: 200ms
`
}

func (f *fakeCRM) updateCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.updates)
}

func (f *fakeBland) setHangAfter(n int) {
	f.mu.Lock()
	f.hangAfter = n
	f.mu.Unlock()
}
