package convoso

import (
	"net/url"
	"testing"
	"time"

	"orchestrator/config"
)

const testToken = "tok-0123456789abcdef"

// liveConfig points a live client at baseURL with millisecond backoff.
func liveConfig(baseURL string) config.Convoso {
	return config.Convoso{
		Provider: config.Provider{Mode: "live", BaseURL: baseURL, Timeout: 2 * time.Second,
			RatePerSecond: 1000, Burst: 100, MaxRetries: 2, RetryBackoff: time.Millisecond},
		AuthToken: testToken,
	}
}

// form decodes a form body the fake server received.
func form(t *testing.T, b []byte) url.Values {
	t.Helper()
	v, err := url.ParseQuery(string(b))
	if err != nil {
		t.Fatalf("body %q: %v", b, err)
	}
	return v
}

const okBody = `{"success":true,"data":{"lead_id":"900123"}}`
