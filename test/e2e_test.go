package test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// A whole call-centre day on the real binary: 200 leads, a provider that
// answers every call with a seeded mix of outcomes, the cadence, the SMS
// drip, the CRM outbox and the statistics, with business hours always open
// and every interval in milliseconds. The run ends when no work is due.

const (
	e2eLeads       = 200
	e2eBlocked     = 10 // leads whose phone is blocklisted before they arrive
	e2eMaxAttempts = 4
	e2eDailyCap    = 3
)

func TestCallCentreDay(t *testing.T) { runCallCentreDay(t, false) }

func TestCallCentreDayKilledMidway(t *testing.T) { runCallCentreDay(t, true) }

func runCallCentreDay(t *testing.T, kill bool) {
	prov, crm := newE2EProvider(t, 20261129), newE2ECRM(t)
	dataDir, cfg := t.TempDir(), e2eConfig(prov, crm)
	d := startDaemonIn(t, dataDir, cfg)
	prov.setDaemon(d.addr)

	blocked := map[string]bool{}
	for i := range e2eBlocked {
		phone := e2ePhone(i * (e2eLeads / e2eBlocked))
		blocked[phone] = true
		body := fmt.Sprintf(`{"field":"phone","value":%q,"reason":"e2e: asked not to be called"}`, phone)
		if code, out := d.do("POST", "/api/admin/blocklist", []byte(body), adminHeader()); code/100 != 2 {
			t.Fatalf("blocklist %s = %d %s", phone, code, out)
		}
	}
	postLeads(t, d)
	var killedAt time.Time
	if kill {
		// Kill it while calls are in flight and completions are arriving.
		waitFor(t, 60*time.Second, "a third of the first dials", func() bool {
			calls, _, _, _ := prov.record()
			return len(calls) >= e2eLeads/3
		})
		_ = d.cmd.Process.Signal(syscall.SIGKILL)
		d.waitExit(10 * time.Second)
		killedAt = time.Now() // once it is dead: it may deliver until the signal lands
		d = startDaemonIn(t, dataDir, cfg)
		prov.setDaemon(d.addr)
	}
	waitQuiet(t, d, prov, crm)

	calls, overlaps, sms, _ := prov.record()
	t.Logf("%d calls, %d phones texted, %d CRM updates", len(calls), len(sms), len(crm.all()))
	if kill {
		logCutTexts(t, d, prov)
	}
	for _, o := range overlaps {
		t.Errorf("double dial: %s", o)
	}
	checkCadence(t, calls, blocked)
	checkTexts(t, calls, sms, blocked)
	checkStatistics(t, d, calls)
	checkCRM(t, calls, crm.all(), killedAt)
}

// e2eConfig points the daemon at the fakes with millisecond intervals.
func e2eConfig(p *e2eProvider, c *e2eCRM) string {
	return webhookConfig + openAlways + fmt.Sprintf(`
bland:
  mode: live
  api_key: bland-key
  base_url: %s
  rate_per_second: 1000
  burst: 100
  retry_backoff: 10ms
  from_numbers: ["+15555550188"]
convoso:
  mode: live
  auth_token: crm-token
  base_url: %s
  rate_per_second: 1000
  burst: 100
  retry_backoff: 10ms
crm:
  retry_min: 50ms
  retry_max: 200ms
calls:
  max_daily_per_phone: %d
  # A dial cut by the kill is held as unknown this long (40m in production):
  # long enough for the provider to report it once the daemon is back.
  pending_timeout: 5s
redial:
  intervals: [150ms]
  min_gap: 150ms
  process_interval: 100ms
  max_attempts: %d
  daily_schedule: [%d]
sms:
  interval: 100ms
  # Also how soon after the restart a text cut by the kill is looked up in
  # the provider's history (1m in production).
  retry_interval: 200ms
  days: [sun, mon, tue, wed, thu, fri, sat]
  start_hour: 0
  end_hour: 24
amtracker:
  max_per_day: 10
`, p.srv.URL, c.srv.URL, e2eDailyCap, e2eMaxAttempts, e2eDailyCap)
}

// e2ePhone is lead i's phone as the provider sees it (E.164).
func e2ePhone(i int) string { return fmt.Sprintf("+1555700%04d", i) }

// postLeads posts the 200 leads from 4 clients, each until it is accepted.
func postLeads(t *testing.T, d *daemon) {
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < e2eLeads; i += 4 {
				body := fmt.Sprintf(`{"lead_id":"%d","list_id":"4242","phone_number":%q,"first_name":"Lead%d","last_name":"Test","state":"FL"}`,
					700000+i, strings.TrimPrefix(e2ePhone(i), "+1"), i)
				if code, out := post(d.addr, "/webhooks/awhealth-outbound", []byte(body), nil); code != http.StatusAccepted {
					t.Errorf("lead %d = %d %s", i, code, out)
				}
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
}

// waitQuiet waits until no work is due: no call in flight at the provider or
// the gate, no redial due or awaiting the gate, no text due or being sent,
// the CRM outbox empty, and every reported call counted, the same on three
// looks in a row.
func waitQuiet(t *testing.T, d *daemon, prov *e2eProvider, crm *e2eCRM) {
	t.Helper()
	calm := 0
	waitFor(t, 120*time.Second, "the day's work to finish", func() bool {
		calls, _, _, inFlight := prov.record()
		var redial struct {
			DueNow   int `json:"due_now"`
			InFlight int `json:"in_flight"`
		}
		var active struct{ Calls []json.RawMessage }
		var outbox struct{ Pending int }
		var texts struct {
			SMS struct {
				NextDue  time.Time `json:"next_due"`
				InFlight int       `json:"in_flight"`
			} `json:"sms"`
		}
		quiet := inFlight == 0 &&
			getJSON(d, "/api/admin/redial-queue/status", &redial) && redial.DueNow == 0 && redial.InFlight == 0 &&
			getJSON(d, "/api/admin/sms/status", &texts) && texts.SMS.InFlight == 0 &&
			(texts.SMS.NextDue.IsZero() || texts.SMS.NextDue.After(time.Now())) &&
			getJSON(d, "/api/admin/calls/active", &active) && len(active.Calls) == 0 &&
			getJSON(d, "/api/admin/crm/outbox", &outbox) && outbox.Pending == 0 &&
			len(crm.all()) >= len(calls)
		if quiet {
			calm++
		} else {
			calm = 0
		}
		return calm >= 3
	})
}

// checkCadence: every lead not blocklisted was dialled, none blocklisted
// was, and no phone went over the lifetime or the daily cap.
func checkCadence(t *testing.T, calls []providerCall, blocked map[string]bool) {
	t.Helper()
	perPhone, perDay := map[string]int{}, map[string]int{}
	for _, c := range calls {
		perPhone[c.Phone]++
		perDay[c.Phone+" "+nyDay(c.At)]++
	}
	for i := range e2eLeads {
		phone := e2ePhone(i)
		switch n := perPhone[phone]; {
		case blocked[phone] && n > 0:
			t.Errorf("blocklisted %s dialled %d times", phone, n)
		case !blocked[phone] && n == 0:
			t.Errorf("lead %s never dialled", phone)
		case n > e2eMaxAttempts:
			t.Errorf("%s dialled %d times, over the lifetime cap %d", phone, n, e2eMaxAttempts)
		}
	}
	for k, n := range perDay {
		if n > e2eDailyCap {
			t.Errorf("%s: %d dials, over the daily cap %d", k, n, e2eDailyCap)
		}
	}
}

// logCutTexts reports what the restarted daemon made of the texts the kill
// cut short: each is looked up in the provider's history, then recorded as
// sent if there, else sent now (checkTexts holds both to the same rules).
func logCutTexts(t *testing.T, d *daemon, prov *e2eProvider) {
	t.Helper()
	cut := len(d.logRecords("an SMS intent has no provider answer from before the stop; the provider's history is asked before anything is sent"))
	found := len(d.logRecords("a text cut by the stop is in the provider's history; recorded as sent"))
	absent := len(d.logRecords("a text cut by the stop is not in the provider's history; it is sent when due"))
	prov.mu.Lock()
	lookups := prov.lookups
	prov.mu.Unlock()
	t.Logf("texts cut by the kill: %d (in the provider's history: %d, absent: %d; %d history requests)", cut, found, absent, lookups)
	if found+absent != cut {
		t.Errorf("%d texts cut by the kill, %d settled", cut, found+absent)
	}
}

// checkTexts: a lead whose call went to voicemail got its day-0 text (unless
// a later transfer cancelled the drip first), even when the kill cut its
// sending short; nobody got the same text twice or two texts in a day, and
// no blocklisted phone got any.
func checkTexts(t *testing.T, calls []providerCall, sms map[string][]providerText, blocked map[string]bool) {
	t.Helper()
	voicemail, transferred := map[string]bool{}, map[string]bool{}
	for _, c := range calls {
		switch c.Outcome {
		case outVoicemail, outNoAnswer:
			voicemail[c.Phone] = true
		case outTransfer:
			transferred[c.Phone] = true
		}
	}
	for phone, texts := range sms {
		if blocked[phone] {
			t.Errorf("blocklisted %s got %d texts", phone, len(texts))
		}
		if !voicemail[phone] {
			t.Errorf("%s got a text without a voicemail or no-answer call", phone)
		}
		days, bodies := map[string]int{}, map[string]int{}
		for _, tx := range texts {
			days[nyDay(tx.At)]++
			if bodies[tx.Body]++; bodies[tx.Body] == 2 {
				t.Errorf("%s got the same text twice: %q", phone, tx.Body)
			}
		}
		for day, n := range days {
			if n > 1 {
				t.Errorf("%s got %d texts on %s", phone, n, day)
			}
		}
	}
	for phone := range voicemail {
		if len(sms[phone]) == 0 && !transferred[phone] {
			t.Errorf("voicemail lead %s never got its day-0 text", phone)
		}
	}
}

// outcomeCounter is the statistics counter of each provider outcome.
var outcomeCounter = map[string]string{outVoicemail: "voicemail_calls", outNoAnswer: "no_answer_calls",
	outBusy: "busy_calls", outTransfer: "transferred_calls", outHuman: "confused", outFailed: "failed"}

// checkStatistics: each day's statistics equal the provider's own record.
func checkStatistics(t *testing.T, d *daemon, calls []providerCall) {
	t.Helper()
	want := map[string]map[string]int{}
	for _, c := range calls {
		day := nyDay(c.Ended)
		if want[day] == nil {
			want[day] = map[string]int{}
		}
		w := want[day]
		w["total_calls"]++
		if c.Outcome == outFailed {
			w["failed_calls"]++
		} else {
			w["completed_calls"]++
		}
		if c.Answered {
			w["answered_calls"]++
		}
		w[outcomeCounter[c.Outcome]]++
	}
	for day, w := range want {
		var got struct{ Statistics map[string]any }
		if !getJSON(d, "/api/admin/statistics/date/"+day, &got) {
			t.Fatalf("statistics for %s not readable", day)
		}
		for _, k := range []string{"total_calls", "completed_calls", "failed_calls", "answered_calls",
			"voicemail_calls", "no_answer_calls", "busy_calls", "transferred_calls"} {
			if n, _ := got.Statistics[k].(float64); int(n) != w[k] {
				t.Errorf("%s %s = %v, the provider made %d", day, k, got.Statistics[k], w[k])
			}
		}
	}
}

// checkCRM: exactly one update per completed call, with its outcome's
// status. The one exception is an update the CRM took just before a kill -9
// (the daemon died before recording the delivery): it is sent again after
// the restart, identical, because losing a CRM update is worse than
// repeating one.
func checkCRM(t *testing.T, calls []providerCall, updates []crmUpdate, killedAt time.Time) {
	t.Helper()
	status := map[string]string{outVoicemail: "A", outNoAnswer: "NA", outBusy: "B", outHuman: "CD", outTransfer: "ACA", outFailed: "N"}
	byCall := map[string][]crmUpdate{}
	for _, u := range updates {
		id := strings.TrimPrefix(u.form.Get("notes"), "call ")
		byCall[id] = append(byCall[id], u)
	}
	repeated := 0
	for _, c := range calls {
		got := byCall[c.ID]
		delete(byCall, c.ID)
		if len(got) == 0 {
			t.Errorf("call %s (%s): no CRM update", c.ID, c.Outcome)
			continue
		}
		if u := got[0].form; u.Get("status") != status[c.Outcome] || u.Get("lead_id") != c.LeadID {
			t.Errorf("call %s (%s): CRM update %v, want status %s for lead %s", c.ID, c.Outcome, u, status[c.Outcome], c.LeadID)
		}
		if len(got) == 1 {
			continue
		}
		cutByKill := len(got) == 2 && !killedAt.IsZero() && !got[0].at.After(killedAt) && killedAt.Sub(got[0].at) < time.Second &&
			got[0].form.Encode() == got[1].form.Encode()
		if !cutByKill {
			t.Errorf("call %s (%s): %d CRM updates, want 1", c.ID, c.Outcome, len(got))
		}
		repeated++
	}
	if repeated > 0 {
		t.Logf("%d CRM updates delivered just before the kill were sent again, identical", repeated)
	}
	for id, us := range byCall {
		t.Errorf("CRM updates for a call the provider never made (%q): %v", id, us)
	}
}

func nyDay(at time.Time) string {
	ny, _ := time.LoadLocation("America/New_York")
	return at.In(ny).Format(time.DateOnly)
}

func adminHeader() http.Header { return http.Header{"X-Api-Key": {adminKey}} }

// getJSON reads an admin endpoint into v; false unless it answered 200.
func getJSON(d *daemon, path string, v any) bool {
	code, body := d.do("GET", path, nil, adminHeader())
	return code == http.StatusOK && json.Unmarshal(body, v) == nil
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(timeout)
	for !cond() {
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// e2eCRM records every lead update the daemon delivers.
type e2eCRM struct {
	srv     *httptest.Server
	mu      sync.Mutex
	updates []crmUpdate
}

type crmUpdate struct {
	form url.Values
	at   time.Time
}

func newE2ECRM(t *testing.T) *e2eCRM {
	c := &e2eCRM{}
	c.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(body))
		if r.URL.Path == "/v1/leads/update" {
			c.mu.Lock()
			c.updates = append(c.updates, crmUpdate{form: form, at: time.Now()})
			c.mu.Unlock()
		}
		fmt.Fprint(w, `{"success":true,"data":{"entries":[]}}`)
	}))
	t.Cleanup(c.srv.Close)
	return c
}

func (c *e2eCRM) all() []crmUpdate {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]crmUpdate(nil), c.updates...)
}
