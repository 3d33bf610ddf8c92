package bland

import (
	"encoding/json"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"orchestrator/config"
	"orchestrator/messages"
)

const testKey = "sk-test-0123456789abcdef"

// liveConfig points a live client at baseURL with millisecond backoff.
func liveConfig(baseURL string) config.Bland {
	return config.Bland{
		Provider: config.Provider{Mode: "live", BaseURL: baseURL, Timeout: 2 * time.Second,
			RatePerSecond: 1000, Burst: 100, MaxRetries: 2, RetryBackoff: time.Millisecond},
		APIKey:           testKey,
		WebhookURL:       "http://127.0.0.1:3000/webhooks/bland-callback",
		PathwayID:        "pw-1",
		StartNodeID:      "node-1",
		Task:             "be nice",
		Voice:            "maya",
		MaxDuration:      30 * time.Minute,
		VoicemailMessage: "call us back",
		VoicemailAction:  "leave_message",
	}
}

func testLead() messages.Lead {
	return messages.Lead{LeadID: "900123", ListID: "4242", Phone: "+15555550123", FirstName: "Jane",
		LastName: "Testlead", State: "FL", Email: "jane.testlead@example.invalid",
		Extra: map[string]string{"campaign": "spring", "first_name": "ignored"}}
}

// observed is a logger that records every entry at every level.
func observed() (*zap.Logger, *observer.ObservedLogs) {
	core, logs := observer.New(zapcore.DebugLevel)
	return zap.New(core), logs
}

// decode unmarshals a JSON body the fake server received.
func decode(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("body %q: %v", b, err)
	}
	return m
}
