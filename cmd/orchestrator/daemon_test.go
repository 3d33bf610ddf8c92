package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/asynkron/protoactor-go/actor"
	"go.uber.org/goleak"

	"orchestrator/supervision"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("github.com/asynkron/protoactor-go/actor.NewDeadLetter.NewThrottle.func4.1"))
}

// crashing panics as soon as it starts, every incarnation.
type crashing struct{}

func (crashing) Receive(c actor.Context) {
	if _, ok := c.Message().(*actor.Started); ok {
		panic("cannot open its store")
	}
}

type idle struct{}

func (idle) Receive(actor.Context) {}

// syncBuffer is a log sink safe for the daemon's concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestServiceExhaustingRestartsStopsTheDaemonInOrderWithExit1(t *testing.T) {
	var logs syncBuffer
	extra := []supervision.ChildSpec{
		{Name: "first", Producer: func() actor.Actor { return idle{} }},
		{Name: "crasher", Producer: func() actor.Actor { return crashing{} }},
		{Name: "last", Producer: func() actor.Actor { return idle{} }},
	}
	args := []string{"--http.addr", "127.0.0.1:0", "--data.dir", t.TempDir(),
		"--set", "supervision.max_restarts=3", "--set", "supervision.backoff_min=1ms", "--set", "supervision.backoff_max=2ms"}
	if code := runDaemon(args, &logs, nil, extra); code != exitFailure {
		t.Fatalf("exit code %d, want %d; log:\n%s", code, exitFailure, logs.String())
	}
	var restarts int
	var stopped []string
	for _, line := range strings.Split(logs.String(), "\n") {
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) != nil {
			continue
		}
		switch rec["msg"] {
		case "service failed; restarting":
			restarts++
		case "service stopped":
			stopped = append(stopped, rec["actor"].(string))
		}
	}
	if restarts != 3 {
		t.Errorf("restarted %d times, want 3 (supervision.max_restarts)", restarts)
	}
	want := []string{"root/gateway", "root/last", "root/first", "root/queue", "root/sms", "root/redial", "root/calls", "root/crm", "root/amtracker", "root/stats", "root/blocklist", "root/journal"}
	if strings.Join(stopped, ",") != strings.Join(want, ",") {
		t.Errorf("stopped %v, want %v", stopped, want)
	}
	if !strings.Contains(logs.String(), "crasher exhausted its restarts") {
		t.Errorf("the fatal log line does not name the service:\n%s", logs.String())
	}
}
