package test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The outcomes the e2e provider draws from, as the provider reports them.
const (
	outVoicemail = "voicemail"
	outNoAnswer  = "no-answer"
	outBusy      = "busy"
	outHuman     = "human"
	outTransfer  = "transfer"
	outFailed    = "failed"
)

// smsLatency is how long the provider takes before and after taking a text.
const smsLatency = 25 * time.Millisecond

var outcomeMix = []string{outVoicemail, outVoicemail, outNoAnswer, outNoAnswer, outBusy, outHuman, outTransfer, outFailed}

// providerCall is one call the e2e provider placed, as its own record has it.
type providerCall struct {
	ID       string
	Phone    string
	LeadID   string
	At       time.Time
	Outcome  string
	Answered bool      // a human talked for 20 s or more
	Ended    time.Time // when the provider reported it (its completed_at)
}

// e2eProvider is the voice and SMS provider on loopback. It answers every
// call after a short delay by posting the completion webhook to the daemon
// (retrying, as the real provider does, while the daemon is down), records
// the outcome it drew, texts, and any dial to a phone whose previous call
// had not yet been reported: the one thing the daemon must never do. Its
// SMS conversations (one per phone) are the texts it took.
type e2eProvider struct {
	t        *testing.T
	srv      *httptest.Server
	daemon   atomic.Pointer[string] // the daemon's address; changes on restart
	mu       sync.Mutex
	rng      *rand.Rand
	calls    []providerCall
	index    map[string]int    // call id → position in calls
	inFlight map[string]string // phone → call id not yet reported
	overlaps []string
	sms      map[string][]providerText // phone → texts taken
	lookups  int                       // conversation reads
	pending  sync.WaitGroup
	done     chan struct{}
}

func newE2EProvider(t *testing.T, seed uint64) *e2eProvider {
	p := &e2eProvider{t: t, rng: rand.New(rand.NewPCG(seed, seed)), inFlight: map[string]string{},
		index: map[string]int{},
		sms:   map[string][]providerText{}, done: make(chan struct{})}
	p.srv = httptest.NewServer(http.HandlerFunc(p.serve))
	t.Cleanup(func() { close(p.done); p.pending.Wait(); p.srv.Close() })
	return p
}

func (p *e2eProvider) setDaemon(addr string) { p.daemon.Store(&addr) }

// providerText is one text the e2e provider took.
type providerText struct {
	At         time.Time
	From, Body string
}

func (p *e2eProvider) serve(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer bland-key" {
		http.Error(w, "unexpected request", http.StatusUnauthorized)
		return
	}
	if r.Method == http.MethodGet {
		p.conversations(w, r)
		return
	}
	if r.Method != http.MethodPost {
		http.Error(w, "unexpected request", http.StatusBadRequest)
		return
	}
	var body struct {
		PhoneNumber string            `json:"phone_number"`
		From        string            `json:"from"`
		Message     string            `json:"message"`
		RequestData map[string]string `json:"request_data"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		http.Error(w, "bad json", http.StatusBadRequest)
		return
	}
	switch r.URL.Path {
	case "/v1/calls":
		call := p.place(body.PhoneNumber, body.RequestData["lead_id"])
		fmt.Fprintf(w, `{"status":"success","call_id":%q}`, call.ID)
	case "/v1/sms/send":
		// A text takes a while on either side of being taken, so a kill can
		// cut one before the provider has it or after, as it can in life.
		time.Sleep(smsLatency)
		p.mu.Lock()
		p.sms[body.PhoneNumber] = append(p.sms[body.PhoneNumber], providerText{At: time.Now(), From: body.From, Body: body.Message})
		n := len(p.sms[body.PhoneNumber])
		p.mu.Unlock()
		time.Sleep(smsLatency)
		fmt.Fprintf(w, `{"status":"success","message_id":"sms-%s-%d"}`, body.PhoneNumber, n)
	default:
		http.Error(w, "unknown path", http.StatusNotFound)
	}
}

// conversations answers as Bland does: GET /v1/sms/conversations with a
// user_number filter lists the phone's conversation (without its texts),
// GET /v1/sms/conversations/{id} gives its texts.
func (p *e2eProvider) conversations(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.lookups++
	if id, ok := strings.CutPrefix(r.URL.Path, "/v1/sms/conversations/"); ok {
		phone := strings.TrimPrefix(id, "convo-")
		texts, found := p.sms[phone]
		if !found {
			http.Error(w, `{"data":null,"errors":[{"message":"not found"}]}`, http.StatusNotFound)
			return
		}
		msgs := make([]map[string]any, 0, len(texts))
		for i, tx := range texts {
			msgs = append(msgs, map[string]any{"id": i + 1, "created_at": tx.At.UTC().Format(time.RFC3339Nano),
				"message": tx.Body, "from": tx.From, "to": phone, "sender": "AGENT", "status": "delivered"})
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"data": map[string]any{"id": id, "user_number": phone, "messages": msgs}, "errors": nil})
		return
	}
	if r.URL.Path != "/v1/sms/conversations" {
		http.Error(w, "unknown path", http.StatusNotFound)
		return
	}
	var filters []struct{ Field, Operator, Value string }
	if err := json.Unmarshal([]byte(r.URL.Query().Get("filters")), &filters); err != nil || len(filters) != 1 ||
		filters[0].Field != "user_number" || filters[0].Operator != "eq" {
		http.Error(w, "want one user_number filter", http.StatusBadRequest)
		return
	}
	phone, list := filters[0].Value, []map[string]any{}
	if texts := p.sms[phone]; len(texts) > 0 {
		list = append(list, map[string]any{"id": "convo-" + phone, "user_number": phone, "agent_number": texts[0].From,
			"message_count": len(texts)})
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"data": list, "errors": nil})
}

// place records a call, draws its outcome and reports it after a delay.
func (p *e2eProvider) place(phone, leadID string) providerCall {
	p.mu.Lock()
	defer p.mu.Unlock()
	if prev, busy := p.inFlight[phone]; busy {
		p.overlaps = append(p.overlaps, fmt.Sprintf("%s dialled while %s was in flight", phone, prev))
	}
	out := outcomeMix[p.rng.IntN(len(outcomeMix))]
	call := providerCall{ID: fmt.Sprintf("e2e-%d", len(p.calls)+1), Phone: phone, LeadID: leadID, At: time.Now(),
		Outcome: out, Answered: out == outHuman || out == outTransfer}
	p.index[call.ID] = len(p.calls)
	p.calls = append(p.calls, call)
	p.inFlight[phone] = call.ID
	delay := time.Duration(20+p.rng.IntN(80)) * time.Millisecond
	p.pending.Add(1)
	go p.report(call, delay)
	return call
}

// report posts the call's completion once the call has "lasted" delay,
// until the daemon acknowledges it. The phone is released just before the
// post: the daemon cannot know the call ended any earlier.
func (p *e2eProvider) report(call providerCall, delay time.Duration) {
	defer p.pending.Done()
	select {
	case <-time.After(delay):
	case <-p.done:
		return
	}
	call.Ended = time.Now().UTC()
	p.mu.Lock()
	p.calls[p.index[call.ID]].Ended = call.Ended
	p.mu.Unlock()
	body := completionFor(call)
	for {
		p.setInFlight(call, false)
		if addr := p.daemon.Load(); addr != nil {
			resp, err := client.Post("http://"+*addr+"/webhooks/bland-callback", "application/json", bytes.NewReader(body))
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					return
				}
			}
		}
		p.setInFlight(call, true) // not reported yet: the daemon still cannot know it ended
		select {
		case <-time.After(50 * time.Millisecond): // the daemon is restarting: the provider retries
		case <-p.done:
			return
		}
	}
}

func (p *e2eProvider) setInFlight(call providerCall, on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if on {
		p.inFlight[call.Phone] = call.ID
	} else if p.inFlight[call.Phone] == call.ID {
		delete(p.inFlight, call.Phone)
	}
}

// completionFor is the provider's webhook for call: voicemail and no-answer
// are short, a human talks for 40 s, a transfer is MERGED.
func completionFor(c providerCall) []byte {
	status, answeredBy, duration, transfer := "completed", c.Outcome, 40, "null"
	switch c.Outcome {
	case outNoAnswer:
		status, duration = "no-answer", 0
	case outBusy:
		status, duration = "busy", 0
	case outTransfer:
		answeredBy, transfer = "human", `{"state":"MERGED"}`
	case outFailed:
		status, answeredBy, duration = "failed", "", 0
	}
	errMsg := "null"
	if c.Outcome == outFailed {
		errMsg = `"carrier rejected the call"`
	}
	return []byte(fmt.Sprintf(`{"call_id":%q,"to":%q,"from":"+15555550188","status":%q,"answered_by":%q,`+
		`"corrected_duration":%d,"warm_transfer_call":%s,"error_message":%s,"summary":"call %s",`+
		`"completed_at":%q,"variables":{"lead_id":%q,"list_id":"4242"}}`,
		c.ID, c.Phone, status, answeredBy, duration, transfer, errMsg, c.ID, c.Ended.Format(time.RFC3339Nano), c.LeadID))
}

// record returns copies of what the provider saw.
func (p *e2eProvider) record() (calls []providerCall, overlaps []string, sms map[string][]providerText, inFlight int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	sms = map[string][]providerText{}
	for k, v := range p.sms {
		sms[k] = append([]providerText(nil), v...)
	}
	return append([]providerCall(nil), p.calls...), append([]string(nil), p.overlaps...), sms, len(p.inFlight)
}
