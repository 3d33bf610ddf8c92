package supervision

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"orchestrator/messages"
)

var sixServices = []string{"journal", "blocklist", "stats", "calls", "redial", "gateway"}

func stoppingOrder(events []string) []string {
	var got []string
	for _, e := range events {
		if name, ok := strings.CutSuffix(e, ":stopping"); ok {
			got = append(got, name)
		}
	}
	return got
}

func TestStopIsExactReverseOrderEveryTime(t *testing.T) {
	want := slices.Clone(sixServices)
	slices.Reverse(want)
	for run := range 100 {
		f := startTree(t, newTestLogger(t), sixServices, testSupervision(), nil)
		report := f.stop(t)
		if got := stoppingOrder(f.rec.list()); !slices.Equal(got, want) {
			t.Fatalf("run %d: services began stopping in order %v, want %v", run, got, want)
		}
		if !slices.Equal(report.Order, want) {
			t.Fatalf("run %d: report order %v, want %v", run, report.Order, want)
		}
		// Each service must be fully stopped before the next one begins.
		events := f.rec.list()
		for i := 1; i < len(want); i++ {
			prevStopped := slices.Index(events, want[i-1]+":stopped")
			nextStopping := slices.Index(events, want[i]+":stopping")
			if prevStopped < 0 || prevStopped > nextStopping {
				t.Fatalf("run %d: %s began stopping before %s had stopped: %v", run, want[i], want[i-1], events)
			}
		}
	}
}

func TestStopDrainsQueuedMessages(t *testing.T) {
	f := startTree(t, newTestLogger(t), sixServices, testSupervision(), nil)
	release := make(chan struct{})
	target := f.pid("stats")
	f.system.Root.Send(target, work{wait: release}) // holds the mailbox until released
	for range 999 {
		f.system.Root.Send(target, work{})
	}
	// The gauge reads our mailbox wrapper: 999 wait behind the blocked one
	// (or 1000 if the actor has not picked up the first yet).
	if got := gaugeValue(t, f, "orchestrator_actor_mailbox_length", "root/stats"); got < 999 {
		t.Errorf("mailbox_length{root/stats} = %v, want >= 999", got)
	}
	done := make(chan StopReport)
	go func() { done <- f.stop(t) }()
	close(release)
	report := <-done
	if got := f.probes["stats"].handled.Load(); got != 1000 {
		t.Fatalf("stats handled %d of 1000 queued messages before stopping", got)
	}
	if len(report.Unstopped) != 0 {
		t.Fatalf("unstopped: %v", report.Unstopped)
	}
}

func TestPanickingServiceIsRestartedAndCounted(t *testing.T) {
	started := make(chan string, 16)
	f := startTree(t, newTestLogger(t), []string{"a", "b"}, testSupervision(), func(p *probe) { p.started = started })
	<-started
	<-started
	f.system.Root.Send(f.pid("b"), boom{})
	if got := <-started; got != "b" {
		t.Fatalf("restarted %q, want b", got)
	}
	res, err := f.system.Root.RequestFuture(f.pid("b"), ask{}, time.Minute).Result()
	if err != nil || res != "ok" {
		t.Fatalf("restarted service answered %v, %v", res, err)
	}
	if got := testutil.ToFloat64(f.metrics.restarts.WithLabelValues("root/b")); got != 1 {
		t.Errorf("restarts_total{root/b} = %v, want 1", got)
	}
	select {
	case err := <-f.fatal:
		t.Fatalf("one panic was fatal: %v", err)
	default:
	}
	f.stop(t)
}

func TestServiceExhaustingRestartsIsFatalAndTheRestStopsInOrder(t *testing.T) {
	cfg := testSupervision()
	cfg.MaxRestarts = 2
	started := make(chan string, 16)
	f := startTree(t, newTestLogger(t), sixServices, cfg, func(p *probe) { p.started = started })
	for range sixServices {
		<-started
	}
	for i := range cfg.MaxRestarts + 1 {
		f.system.Root.Send(f.pid("calls"), boom{})
		if i < cfg.MaxRestarts {
			<-started // wait for the restart so the next boom is a new failure
		}
	}
	err := <-f.fatal
	if !strings.Contains(err.Error(), "calls") {
		t.Fatalf("fatal error %q does not name the service", err)
	}
	report := f.stop(t)
	want := []string{"gateway", "redial", "stats", "blocklist", "journal"}
	if !slices.Equal(report.Order, want) {
		t.Fatalf("after a fatal failure the rest stopped in %v, want %v", report.Order, want)
	}
	if got := testutil.ToFloat64(f.metrics.restarts.WithLabelValues("root/calls")); got != float64(cfg.MaxRestarts) {
		t.Errorf("restarts_total{root/calls} = %v, want %d", got, cfg.MaxRestarts)
	}
}

func TestPanicInStoppingDoesNotHangTheStop(t *testing.T) {
	f := startTree(t, newTestLogger(t), []string{"a", "b", "c"}, testSupervision(), func(p *probe) {
		p.panicInStopping = p.name == "b"
	})
	report := f.stop(t)
	if want := []string{"c", "b", "a"}; !slices.Equal(report.Order, want) || len(report.Unstopped) != 0 {
		t.Fatalf("report = %+v, want order %v and none unstopped", report, want)
	}
}

func TestPanicWhileServingARequestAnswersAtOnce(t *testing.T) {
	f := startTree(t, newTestLogger(t), []string{"a"}, testSupervision(), nil)
	defer f.stop(t)
	// A one-minute timeout: without the middleware the caller would wait it out.
	res, err := f.system.Root.RequestFuture(f.pid("a"), boom{}, time.Minute).Result()
	if err != nil {
		t.Fatalf("request to a panicking handler: %v", err)
	}
	failed, ok := res.(messages.Failed)
	if !ok || failed.Actor != "root/a" || !strings.Contains(failed.Reason, "boom") {
		t.Fatalf("reply = %#v, want messages.Failed naming root/a and the reason", res)
	}
}

func TestServiceMissingItsDeadlineIsReportedUnstopped(t *testing.T) {
	f := startTreeWith(t, newTestLogger(t), []string{"a", "stuck", "c"}, testSupervision(), 20*time.Millisecond, nil)
	release := make(chan struct{})
	defer close(release)
	f.system.Root.Send(f.pid("stuck"), work{wait: release})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	report, err := f.tree.Stop(ctx)
	if err == nil || !strings.Contains(err.Error(), "stuck") {
		t.Fatalf("Stop error = %v, want one naming the stuck service", err)
	}
	if !slices.Equal(report.Unstopped, []string{"stuck"}) || !slices.Equal(report.Order, []string{"c", "a"}) {
		t.Fatalf("report = %+v, want stuck unstopped and c, a stopped", report)
	}
}

func TestBackoff(t *testing.T) {
	min, max := 100*time.Millisecond, 15*time.Second
	tests := []struct {
		attempt int
		jitter  float64
		want    time.Duration
	}{
		{1, 0, 100 * time.Millisecond}, // half of 100ms is below min: floored
		{1, 0.999, 100 * time.Millisecond},
		{2, 0, 100 * time.Millisecond},
		{2, 0.5, 150 * time.Millisecond},
		{3, 0, 200 * time.Millisecond},
		{4, 0.5, 600 * time.Millisecond},
		{8, 0, 6400 * time.Millisecond},
		{9, 0, 7500 * time.Millisecond},
		{10, 0, 7500 * time.Millisecond}, // capped at 15s, lower half
		{50, 0.5, 11250 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.attempt, "/", tt.jitter), func(t *testing.T) {
			got := Backoff(tt.attempt, min, max, tt.jitter)
			if got.Round(time.Millisecond) != tt.want {
				t.Errorf("Backoff(%d, %v) = %v, want %v", tt.attempt, tt.jitter, got, tt.want)
			}
		})
	}
}

// replying carries its own reply channel, like the gateway's appends.
type replying struct{ reply chan string }

func (m replying) FailReply(reason string) { m.reply <- "failed: " + reason }

type panicky struct{}

func (panicky) Receive(c actor.Context) {
	if _, ok := c.Message().(replying); ok {
		panic("disk on fire")
	}
}

func TestPanicAnswersARequestThatCarriesItsOwnReplyChannel(t *testing.T) {
	system := NewSystem(newTestLogger(t))
	pid := system.Root.Spawn(Props(func() actor.Actor { return panicky{} }, newTestLogger(t), NewMetrics(promRegistry())))
	defer func() { _ = system.Root.StopFuture(pid).Wait() }()
	reply := make(chan string, 1)
	system.Root.Send(pid, replying{reply: reply})
	if got := <-reply; !strings.Contains(got, "disk on fire") {
		t.Fatalf("reply = %q", got)
	}
}
