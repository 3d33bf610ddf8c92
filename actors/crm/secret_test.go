package crm

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"orchestrator/actors/convoso"
	"orchestrator/config"
	"orchestrator/messages"
)

const secretToken = "tok-SeCrEt-zzyx"

// roundTrip is an http.RoundTripper from a function: a CRM without a socket.
type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func answer(status int, body string) *http.Response {
	return &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(body))}
}

// TestTheAuthTokenNeverReachesLogsOrTheStore drives a live convoso client at
// a CRM that echoes our request (token included) in its errors, through
// every failure path, and checks no log entry, stored error or answer
// carries the token or a full phone number.
func TestTheAuthTokenNeverReachesLogsOrTheStore(t *testing.T) {
	s := openStore(t)
	synctest.Test(t, func(t *testing.T) {
		core, logs := observer.New(zapcore.DebugLevel)
		log := zap.New(core)
		var n atomic.Int32
		hc := &http.Client{Transport: roundTrip(func(r *http.Request) (*http.Response, error) {
			body, _ := io.ReadAll(r.Body)
			switch n.Add(1) {
			case 1: // an error page quoting the form
				return answer(500, "bad request: "+string(body)), nil
			case 2: // a refusal quoting the token as JSON
				return answer(200, `{"success":false,"error":"invalid \"auth_token\": \"`+secretToken+`\" for +15555550123"}`), nil
			default:
				return answer(502, `{"auth_token":"`+secretToken+`"}`), nil
			}
		})}
		client := convoso.New(config.Convoso{
			Provider:  config.Provider{Mode: "live", BaseURL: "http://crm.test", Timeout: 5 * time.Second, RatePerSecond: 100, Burst: 10},
			AuthToken: secretToken,
		}, log, hc)
		cfg := testCfg()
		cfg.MaxTries = 2
		r := start(t, Deps{Log: log, Bucket: s.Bucket("crm"), Client: client, Cfg: cfg})
		defer r.stop(t)

		r.ask(t, messages.CRMUpdate{Key: "dnc:+15555550123", LeadID: "900", Phone: "+15555550123", Status: "DNC"})
		time.Sleep(time.Hour)
		synctest.Wait()
		parked := r.outbox(t, true)
		if len(parked.Items) != 1 || parked.Items[0].Tries != 2 {
			t.Fatalf("parked = %+v", parked)
		}
		found := r.ask(t, messages.LookupLead{Phone: "+15555550123"}).(messages.LeadLookup)
		if found.Err == "" {
			t.Fatalf("look-up against a failing CRM = %+v", found)
		}

		texts := []string{parked.Items[0].LastError, found.Err}
		for _, e := range logs.All() {
			texts = append(texts, e.Message+" "+fmt.Sprint(e.ContextMap()))
		}
		if logs.FilterMessage("crm update parked after its last try; an operator must look at it").Len() != 1 {
			t.Error("no parked warning was logged")
		}
		for _, text := range texts {
			for _, secret := range []string{secretToken, "5555550123"} {
				if strings.Contains(text, secret) {
					t.Errorf("%q leaks in: %s", secret, text)
				}
			}
		}
	})
}
