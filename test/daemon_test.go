package test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// daemon is one running orchestrator process.
type daemon struct {
	t       *testing.T
	cmd     *exec.Cmd
	addr    string
	dataDir string
	mu      sync.Mutex
	lines   []string
	waited  chan struct{}
	exit    int
	notify  chan struct{} // pinged on every new log line
}

// baseConfig is a config for tests: free port, millisecond intervals.
const baseConfig = `
http:
  addr: "127.0.0.1:0"
log:
  level: info
shutdown:
  drain: 100ms
  timeout: 10s
  child_timeout: 5s
supervision:
  backoff_min: 1ms
  backoff_max: 10ms
`

// startDaemon writes cfg (appended to nothing; pass baseConfig plus extras)
// and starts the binary, returning once it logged "listening".
func startDaemon(t *testing.T, cfg string, args ...string) *daemon {
	t.Helper()
	return startDaemonIn(t, t.TempDir(), cfg, args...)
}

// startDaemonIn starts the binary on an existing data dir (restarts).
func startDaemonIn(t *testing.T, dataDir, cfg string, args ...string) *daemon {
	t.Helper()
	d := launch(t, dataDir, cfg, args...)
	// "services ready" comes once every service has run its Started (the
	// journal's recovery, with any torn-tail line, included) and /readyz is 200.
	if !d.waitLog(`"msg":"services ready"`, 30*time.Second) {
		d.kill()
		t.Fatalf("daemon did not start; log:\n%s", d.log())
	}
	for _, l := range d.logLines() {
		if strings.Contains(l, `"msg":"listening"`) {
			var rec struct{ Addr string }
			_ = json.Unmarshal([]byte(l), &rec)
			d.addr = rec.Addr
		}
	}
	return d
}

// launch starts the process without waiting for it to be up.
func launch(t *testing.T, dataDir, cfg string, args ...string) *daemon {
	t.Helper()
	cfgPath := filepath.Join(t.TempDir(), "config.yml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(binary, append([]string{"run", "--config", cfgPath, "--data.dir", dataDir}, args...)...)
	cmd.Env = append(os.Environ(), "GORACE=halt_on_error=1")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	d := &daemon{t: t, cmd: cmd, dataDir: dataDir, waited: make(chan struct{}), notify: make(chan struct{}, 1)}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go d.read(stderr)
	t.Cleanup(func() {
		d.kill()
		if t.Failed() {
			t.Logf("daemon log:\n%s", d.log())
		}
	})
	return d
}

func (d *daemon) read(r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		d.mu.Lock()
		d.lines = append(d.lines, sc.Text())
		d.mu.Unlock()
		select {
		case d.notify <- struct{}{}:
		default:
		}
	}
	err := d.cmd.Wait()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		d.exit = ee.ExitCode()
	case err != nil:
		d.exit = -1
	}
	close(d.waited)
}

func (d *daemon) logLines() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.lines...)
}

func (d *daemon) log() string { return strings.Join(d.logLines(), "\n") }

// waitLog waits until a log line contains substr or the process exits.
func (d *daemon) waitLog(substr string, within time.Duration) bool {
	deadline := time.NewTimer(within)
	defer deadline.Stop()
	for {
		for _, l := range d.logLines() {
			if strings.Contains(l, substr) {
				return true
			}
		}
		select {
		case <-d.notify:
		case <-d.waited:
			return strings.Contains(d.log(), substr)
		case <-deadline.C:
			return false
		}
	}
}

// waitExit waits for the process to end and returns its exit code, or fails
// the test after within (a bound on a hang, not a performance assertion).
func (d *daemon) waitExit(within time.Duration) int {
	d.t.Helper()
	select {
	case <-d.waited:
		return d.exit
	case <-time.After(within):
		d.kill()
		d.t.Fatalf("daemon did not exit within %s; log:\n%s", within, d.log())
		return -1
	}
}

func (d *daemon) signal(s syscall.Signal) {
	d.t.Helper()
	if err := d.cmd.Process.Signal(s); err != nil {
		d.t.Fatalf("signal %v: %v", s, err)
	}
}

func (d *daemon) kill() {
	select {
	case <-d.waited:
	default:
		_ = d.cmd.Process.Kill()
		<-d.waited
	}
}

func (d *daemon) url(path string) string { return "http://" + d.addr + path }

// get fetches a path and returns status and body.
func (d *daemon) get(path string) (int, []byte) {
	d.t.Helper()
	return d.do(http.MethodGet, path, nil, nil)
}

func (d *daemon) do(method, path string, body []byte, header http.Header) (int, []byte) {
	d.t.Helper()
	req, err := http.NewRequest(method, d.url(path), bytes.NewReader(body))
	if err != nil {
		d.t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		d.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// logRecords decodes every JSON log line that has msg == m.
func (d *daemon) logRecords(m string) []map[string]any {
	var out []map[string]any
	for _, l := range d.logLines() {
		var rec map[string]any
		if json.Unmarshal([]byte(l), &rec) == nil && rec["msg"] == m {
			out = append(out, rec)
		}
	}
	return out
}
