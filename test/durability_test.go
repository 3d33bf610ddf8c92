package test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// load posts distinct completions from n clients until stop is closed or
// max have been sent, and records the call ids that got a 2xx.
type load struct {
	mu     sync.Mutex
	acked  map[string]bool
	sent   atomic.Int64
	okN    atomic.Int64
	failed atomic.Int64
	at     int64         // hit is closed when this many have been acked
	hit    chan struct{} // lets a test act at a chosen point of the load
}

func newLoad(at int64) *load {
	return &load{acked: map[string]bool{}, at: at, hit: make(chan struct{})}
}

func runLoad(addr, prefix string, clients, max int, stop <-chan struct{}, l *load) {
	var wg sync.WaitGroup
	var next atomic.Int64
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				i := next.Add(1)
				if max > 0 && i > int64(max) {
					return
				}
				id := fmt.Sprintf("%s-%d", prefix, i)
				l.sent.Add(1)
				code, _ := post(addr, "/webhooks/bland-callback", completion(id, 512), nil)
				if code/100 == 2 {
					l.mu.Lock()
					l.acked[id] = true
					l.mu.Unlock()
					if l.okN.Add(1) == l.at {
						close(l.hit)
					}
				} else {
					l.failed.Add(1)
					if code == 0 { // the daemon is gone
						return
					}
				}
			}
		}()
	}
	wg.Wait()
}

// checkLog asserts every acked webhook is in the log exactly once and no
// webhook is in it twice.
func checkLog(t *testing.T, d *daemon, prefix string, acked map[string]bool) {
	t.Helper()
	count := map[string]int{}
	for _, e := range d.allToday() {
		if strings.HasPrefix(e.CallID, prefix+"-") {
			count[e.CallID]++
		}
	}
	var missing, twice []string
	for id := range acked {
		if count[id] != 1 {
			missing = append(missing, fmt.Sprintf("%s×%d", id, count[id]))
		}
	}
	for id, n := range count {
		if n > 1 {
			twice = append(twice, id)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 || len(twice) > 0 {
		t.Fatalf("%d acknowledged webhooks not in the log exactly once (%v…); %d in it twice", len(missing), head(missing), len(twice))
	}
}

func head(s []string) []string {
	if len(s) > 5 {
		return s[:5]
	}
	return s
}

// lastSegment returns the newest journal segment file.
func lastSegment(t *testing.T, dataDir string) string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dataDir, "journal", "*.log"))
	if len(files) == 0 {
		t.Fatalf("no journal segment under %s", dataDir)
	}
	sort.Strings(files)
	return files[len(files)-1]
}

func TestKill9MidLoadLosesNoAcknowledgedWebhook(t *testing.T) {
	const runs, total, clients = 20, 2000, 8
	rng := rand.New(rand.NewPCG(1, 2))
	for run := range runs {
		dataDir := t.TempDir()
		d := startDaemonIn(t, dataDir, webhookConfig)
		prefix := fmt.Sprintf("crash%d", run)
		killAt := int64(50 + rng.IntN(total-100))
		l := newLoad(killAt)
		stop := make(chan struct{})
		done := make(chan struct{})
		go func() { runLoad(d.addr, prefix, clients, total, stop, l); close(done) }()
		select {
		case <-l.hit:
		case <-done:
			t.Fatalf("run %d: load ended after %d acks before the kill point %d", run, l.okN.Load(), killAt)
		}
		_ = d.cmd.Process.Signal(syscall.SIGKILL)
		d.waitExit(10 * time.Second)
		close(stop)
		<-done

		// Half the runs also get a torn tail written on top, like a write
		// interrupted mid-record.
		seg := lastSegment(t, dataDir)
		torn := run%2 == 1
		if torn {
			f, err := os.OpenFile(seg, os.O_APPEND|os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			_, _ = f.WriteString(`0badc0de {"seq":999999,"source":"bland-cal`)
			f.Close()
		}
		raw, _ := os.ReadFile(seg)
		tornOnDisk := len(raw) > 0 && raw[len(raw)-1] != '\n'

		d2 := startDaemonIn(t, dataDir, webhookConfig)
		if tornOnDisk && !strings.Contains(d2.log(), "truncated torn tail") {
			t.Fatalf("run %d: the segment ended mid-record but start-up logged no truncation", run)
		}
		checkLog(t, d2, prefix, l.acked)
		t.Logf("run %d: killed after %d acks (%d sent); torn tail on disk: %v", run, len(l.acked), l.sent.Load(), tornOnDisk)
		d2.signal(syscall.SIGTERM)
		if code := d2.waitExit(15 * time.Second); code != 0 {
			t.Fatalf("run %d: restart exited %d", run, code)
		}
	}
}

func TestSIGTERMUnderLoadExitsZeroAndKeepsEveryAck(t *testing.T) {
	dataDir := t.TempDir()
	d := startDaemonIn(t, dataDir, webhookConfig, "--set", "shutdown.drain=300ms")
	l := newLoad(200)
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() { runLoad(d.addr, "term", 4, 0, stop, l); close(done) }()
	<-l.hit
	d.signal(syscall.SIGTERM)
	if code := d.waitExit(20 * time.Second); code != 0 {
		t.Fatalf("exit code %d after SIGTERM under load, want 0", code)
	}
	close(stop)
	<-done
	d2 := startDaemonIn(t, dataDir, webhookConfig)
	checkLog(t, d2, "term", l.acked)
	t.Logf("%d acknowledged before and during the drain, all in the log", len(l.acked))
}
