package journal

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"

	"orchestrator/config"
	"orchestrator/messages"
	"orchestrator/supervision"
)

// harness runs one journal actor on a data dir.
type harness struct {
	system    *actor.ActorSystem
	pid       *actor.PID
	dataDir   string
	readiness *supervision.Readiness
	metrics   *Metrics
	faults    *faults
	dead      *atomic.Int64
}

func testJournalConfig() config.Journal {
	c := config.Default().Journal
	c.RetryAfter = time.Second
	return c
}

func startJournal(t *testing.T, log *zap.Logger, dataDir string) *harness {
	t.Helper()
	return startJournalWith(t, log, dataDir, testJournalConfig())
}

func startJournalWith(t *testing.T, log *zap.Logger, dataDir string, cfg config.Journal) *harness {
	t.Helper()
	h := &harness{system: supervision.NewSystem(log), dataDir: dataDir, readiness: supervision.NewReadiness(),
		metrics: NewMetrics(prometheus.NewRegistry()), dead: &atomic.Int64{}}
	h.readiness.Set("daemon", true, "") // only the journal's own readiness matters here
	h.system.EventStream.Subscribe(func(e interface{}) {
		if _, ok := e.(*actor.DeadLetterEvent); ok {
			h.dead.Add(1)
		}
	})
	w := newSegmentWriter(filepath.Join(dataDir, "journal"))
	h.faults = injectFaults(w)
	loc, _ := time.LoadLocation("America/New_York")
	props := supervision.Props(Producer(Deps{
		Log: log, Cfg: cfg, DataDir: dataDir, Location: loc,
		Metrics: h.metrics, Readiness: h.readiness, open: w.open,
	}), log, supervision.NewMetrics(prometheus.NewRegistry()))
	h.pid = h.system.Root.Spawn(props)
	return h
}

func (h *harness) stop(t *testing.T) {
	t.Helper()
	if err := h.system.Root.PoisonFuture(h.pid).Wait(); err != nil {
		t.Fatalf("stop journal: %v", err)
	}
}

func (h *harness) append(t *testing.T, m messages.AppendWebhook) messages.WebhookAppended {
	t.Helper()
	res, err := h.system.Root.RequestFuture(h.pid, m, 10*time.Second).Result()
	if err != nil {
		t.Fatalf("append: %v", err)
	}
	return res.(messages.WebhookAppended)
}

func completionAppend(i int) messages.AppendWebhook {
	id := fmt.Sprintf("call-%d", i)
	return messages.AppendWebhook{
		Source: messages.SourceCompletion, RequestID: fmt.Sprintf("req-%d", i), DedupeKey: "bland-callback:" + id + ":completed",
		Result: messages.ResultProcessed, CallID: id, Phone: "+15555550123",
		Body: []byte(fmt.Sprintf(`{"call_id":%q,"status":"completed"}`, id)), ReceivedAt: time.Now().UTC(),
	}
}

func linesOnDisk(t *testing.T, dataDir string) int {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dataDir, "journal", "*.log"))
	n := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		n += strings.Count(string(b), "\n")
	}
	return n
}

func TestConcurrentAppendsShareSyncsAndAllAreDurable(t *testing.T) {
	h := startJournal(t, zaptest.NewLogger(t), t.TempDir())
	const n = 400
	seqs := make(chan uint64, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res := h.append(t, completionAppend(i))
			if res.Err != "" || res.Duplicate {
				t.Errorf("append %d: %+v", i, res)
			}
			seqs <- res.Seq
		}()
	}
	wg.Wait()
	close(seqs)
	seen := map[uint64]bool{}
	for s := range seqs {
		if seen[s] {
			t.Fatalf("sequence %d handed out twice", s)
		}
		seen[s] = true
	}
	// Every acknowledged record is on disk before the actor stops.
	if got := linesOnDisk(t, h.dataDir); got != n {
		t.Fatalf("%d lines on disk after %d acknowledged appends", got, n)
	}
	batches := testutil.ToFloat64(h.metrics.failures) // zero failures
	if batches != 0 {
		t.Fatalf("%v failed batches", batches)
	}
	h.stop(t)
	t.Logf("records %v", testutil.ToFloat64(h.metrics.records))
}

func TestDuplicateIsAcknowledgedAndStoredOnceAcrossARestart(t *testing.T) {
	dir := t.TempDir()
	h := startJournal(t, zaptest.NewLogger(t), dir)
	first := h.append(t, completionAppend(1))
	again := h.append(t, completionAppend(1))
	if again.Err != "" || !again.Duplicate || again.Seq != first.Seq {
		t.Fatalf("repeat = %+v, want a duplicate of seq %d", again, first.Seq)
	}
	h.stop(t)

	h2 := startJournal(t, zaptest.NewLogger(t), dir)
	after := h2.append(t, completionAppend(1))
	if !after.Duplicate || after.Seq != first.Seq {
		t.Fatalf("after a restart the repeat = %+v, want a duplicate of seq %d", after, first.Seq)
	}
	next := h2.append(t, completionAppend(2))
	if next.Seq != first.Seq+1 {
		t.Fatalf("sequence after restart = %d, want %d", next.Seq, first.Seq+1)
	}
	h2.stop(t)
	if got := linesOnDisk(t, dir); got != 2 {
		t.Fatalf("%d records on disk, want 2", got)
	}
}

func TestDiskFullRefusesThenRecovers(t *testing.T) {
	dir := t.TempDir()
	h := startJournal(t, zaptest.NewLogger(t, zaptest.Level(zap.WarnLevel)), dir)
	ok := h.append(t, completionAppend(1))
	h.faults.set(syscall.ENOSPC, nil, nil)
	res := h.append(t, completionAppend(2))
	if res.Err == "" || !strings.Contains(res.Err, "no space") {
		t.Fatalf("append on a full disk = %+v, want an error", res)
	}
	if ready, why := h.readiness.Check(); ready || !strings.Contains(why[supervision.Journal], "cannot append") {
		t.Fatalf("readiness on a full disk = %v %v, want not ready naming the journal", ready, why)
	}
	h.faults.set(nil, nil, nil)
	// The refused webhook is retried by its sender and must be stored, not
	// taken for a duplicate of the record that never made it.
	retry := h.append(t, completionAppend(2))
	if retry.Err != "" || retry.Duplicate || retry.Seq <= ok.Seq {
		t.Fatalf("retry after the disk recovered = %+v", retry)
	}
	if ready, _ := h.readiness.Check(); !ready {
		t.Fatal("still not ready after an append worked again")
	}
	h.stop(t)
	if got := linesOnDisk(t, dir); got != 2 {
		t.Fatalf("%d records on disk, want 2 (the refused one left no trace)", got)
	}
}

func TestProbeRestoresReadinessWithoutTrafficAndNothingOutlivesTheActor(t *testing.T) {
	dir := t.TempDir()
	synctest.Test(t, func(t *testing.T) {
		h := startJournal(t, zap.NewNop(), dir)
		h.faults.set(nil, syscall.EIO, nil)
		if res := h.append(t, completionAppend(1)); res.Err == "" {
			t.Fatalf("append with failing fsync = %+v, want an error", res)
		}
		h.faults.set(nil, nil, nil)
		time.Sleep(2 * time.Second) // two probe intervals, no traffic
		synctest.Wait()
		if ready, why := h.readiness.Check(); !ready {
			t.Fatalf("not ready after the disk recovered with no traffic: %v", why)
		}
		h.stop(t)
		time.Sleep(48 * time.Hour)
		synctest.Wait()
		if got := h.dead.Load(); got != 0 {
			t.Fatalf("%d dead letters after stop", got)
		}
	})
}

func TestQueriesTodayAndByPhoneNewestFirst(t *testing.T) {
	h := startJournal(t, zaptest.NewLogger(t), t.TempDir())
	defer h.stop(t)
	for i := range 5 {
		h.append(t, completionAppend(i))
	}
	h.append(t, messages.AppendWebhook{Source: messages.SourceLead, RequestID: "bad", Result: messages.ResultValidationFailed,
		Error: "phone_number: required", Body: []byte("{}"), ReceivedAt: time.Now().UTC()})
	loc, _ := time.LoadLocation("America/New_York")
	ask := func(q messages.QueryWebhookLog) messages.WebhookLogPage {
		res, err := h.system.Root.RequestFuture(h.pid, q, 10*time.Second).Result()
		if err != nil {
			t.Fatal(err)
		}
		return res.(messages.WebhookLogPage)
	}
	today := ask(messages.QueryWebhookLog{Day: time.Now().In(loc).Format(time.DateOnly), Limit: 2, Offset: 1})
	if today.Total != 6 || len(today.Records) != 2 || today.Records[0].Seq != 5 || today.Records[1].Seq != 4 {
		t.Fatalf("today page = %+v", today)
	}
	if today.Counts.Total != 6 || today.Counts.ValidationFailures != 1 || today.Counts.Processed != 5 {
		t.Fatalf("today counts = %+v", today.Counts)
	}
	byPhone := ask(messages.QueryWebhookLog{Phone: "+15555550123", Limit: 10})
	if byPhone.Total != 5 || byPhone.Records[0].Seq != 5 || string(byPhone.Records[0].Body) != `{"call_id":"call-4","status":"completed"}` {
		t.Fatalf("by phone = %+v", byPhone)
	}
	past := ask(messages.QueryWebhookLog{Day: "2001-01-01"})
	if past.Err != "" || past.Total != 0 {
		t.Fatalf("empty past day = %+v", past)
	}
}

func TestReplayFromDiskAndRingInOrderWithSourceFilter(t *testing.T) {
	cfg := testJournalConfig()
	cfg.RecentMax = 3 // the ring holds seq 8..10 only: older replays come from disk
	h := startJournalWith(t, zaptest.NewLogger(t), t.TempDir(), cfg)
	defer h.stop(t)
	for i := range 10 {
		m := completionAppend(i)
		if i%2 == 1 {
			m.Source, m.DedupeKey = messages.SourceLead, fmt.Sprintf("lead-%d", i)
		}
		h.append(t, m)
	}
	ask := func(m messages.ReplayJournal) messages.JournalBatch {
		res, err := h.system.Root.RequestFuture(h.pid, m, 10*time.Second).Result()
		if err != nil {
			t.Fatal(err)
		}
		return res.(messages.JournalBatch)
	}
	seqs := func(b messages.JournalBatch) (out []uint64) {
		for _, r := range b.Records {
			out = append(out, r.Seq)
		}
		return out
	}
	tests := []struct {
		name     string
		req      messages.ReplayJournal
		want     []uint64
		wantMore bool
	}{
		{"disk, paged", messages.ReplayJournal{After: 0, Limit: 4}, []uint64{1, 2, 3, 4}, true},
		{"disk, to the end", messages.ReplayJournal{After: 4, Limit: 100}, []uint64{5, 6, 7, 8, 9, 10}, false},
		{"ring", messages.ReplayJournal{After: 8}, []uint64{9, 10}, false},
		{"ring, nothing new", messages.ReplayJournal{After: 10}, nil, false},
		{"disk, leads only", messages.ReplayJournal{After: 0, Sources: []string{messages.SourceLead}}, []uint64{2, 4, 6, 8, 10}, false},
		{"ring, completions only", messages.ReplayJournal{After: 7, Sources: []string{messages.SourceCompletion}}, []uint64{9}, false},
		// Older than the ring (completion 7 was let go), but no lead after 6 was.
		{"ring, leads only, behind the ring", messages.ReplayJournal{After: 6, Sources: []string{messages.SourceLead}}, []uint64{8, 10}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.req.Ref = tt.name // echoed, from the ring and from disk alike
			got := ask(tt.req)
			if got.Err != "" || fmt.Sprint(seqs(got)) != fmt.Sprint(tt.want) || got.More != tt.wantMore || got.Ref != tt.name {
				t.Fatalf("got %v more=%v err=%q ref=%q, want %v more=%v", seqs(got), got.More, got.Err, got.Ref, tt.want, tt.wantMore)
			}
		})
	}
	memory, disk := testutil.ToFloat64(h.metrics.replays.WithLabelValues("memory")), testutil.ToFloat64(h.metrics.replays.WithLabelValues("disk"))
	if memory != 4 || disk != 3 {
		t.Errorf("replays from memory %v, from disk %v; want 4 and 3", memory, disk)
	}
}

// follower records JournalAdvanced notices.
type follower struct{ advanced chan uint64 }

func (f *follower) Receive(c actor.Context) {
	if m, ok := c.Message().(messages.JournalAdvanced); ok {
		f.advanced <- m.Durable
	}
}

func TestSubscribersHearOfEveryDurableBatch(t *testing.T) {
	h := startJournal(t, zaptest.NewLogger(t), t.TempDir())
	defer h.stop(t)
	h.append(t, completionAppend(1))
	f := &follower{advanced: make(chan uint64, 16)}
	sub := h.system.Root.Spawn(actor.PropsFromProducer(func() actor.Actor { return f }))
	defer func() { _ = h.system.Root.StopFuture(sub).Wait() }()
	h.system.Root.Send(h.pid, messages.SubscribeJournal{Subscriber: sub})
	if got := <-f.advanced; got != 1 {
		t.Fatalf("on subscribing: durable %d, want 1", got)
	}
	h.append(t, completionAppend(2))
	if got := <-f.advanced; got != 2 {
		t.Fatalf("after an append: durable %d, want 2", got)
	}
}
