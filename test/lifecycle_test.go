package test

import (
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestEndpointsAnswer(t *testing.T) {
	d := startDaemon(t, baseConfig)
	for _, path := range []string{"/livez", "/readyz", "/health", "/metrics"} {
		if code, body := d.get(path); code != 200 {
			t.Errorf("GET %s = %d %s, want 200", path, code, body)
		}
	}
	_, body := d.get("/health")
	var h struct {
		Status, Version string
		UptimeSeconds   float64 `json:"uptime_seconds"`
		Memory          struct {
			Status   string
			RSSBytes uint64 `json:"rss_bytes"`
			HeapUsed uint64 `json:"heap_used_bytes"`
		}
	}
	if err := json.Unmarshal(body, &h); err != nil {
		t.Fatalf("/health is not JSON: %v: %s", err, body)
	}
	if h.Status != "healthy" || h.Version != "test" || h.Memory.Status != "healthy" || h.Memory.RSSBytes == 0 || h.Memory.HeapUsed == 0 {
		t.Errorf("/health = %s", body)
	}
	_, metrics := d.get("/metrics")
	for _, want := range []string{
		`orchestrator_actor_mailbox_length{actor="root/gateway"}`,
		`orchestrator_actor_messages_total{actor="root"}`,
		`orchestrator_actor_timers_active{actor="root/gateway"}`,
		`orchestrator_build_info{goversion=`,
		"go_goroutines", "go_memstats_heap_inuse_bytes", "process_resident_memory_bytes",
	} {
		if !strings.Contains(string(metrics), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	code, body := d.do("POST", "/livez", nil, nil)
	if code != 405 || !strings.Contains(string(body), `"error":"method_not_allowed"`) {
		t.Errorf("POST /livez = %d %s, want a JSON 405", code, body)
	}
	code, body = d.get("/no/such/path")
	if code != 404 || !strings.Contains(string(body), `"error":"not_found"`) {
		t.Errorf("GET /no/such/path = %d %s, want a JSON 404", code, body)
	}
}

func TestSIGTERMDrainsThenStopsInReverseOrder(t *testing.T) {
	d := startDaemon(t, baseConfig+"\n", "--set", "shutdown.drain=1s")
	d.signal(syscall.SIGTERM)
	// Readiness turns 503 at once, while webhooks are still accepted.
	if !d.waitLog("stop signal received", 5*time.Second) {
		t.Fatal("no 'stop signal received' log line")
	}
	if code, _ := d.get("/readyz"); code != 503 {
		t.Errorf("/readyz during the drain = %d, want 503", code)
	}
	if code, _ := d.get("/livez"); code != 200 {
		t.Errorf("/livez during the drain = %d, want 200", code)
	}
	if code := d.waitExit(15 * time.Second); code != 0 {
		t.Fatalf("exit code %d after SIGTERM, want 0", code)
	}
	var started []string
	for _, r := range d.logRecords("service started") {
		started = append(started, strings.TrimPrefix(r["actor"].(string), "root/"))
	}
	var stopped []string
	for _, r := range d.logRecords("service stopped") {
		stopped = append(stopped, strings.TrimPrefix(r["actor"].(string), "root/"))
	}
	want := slices.Clone(started)
	slices.Reverse(want)
	if len(started) == 0 || !slices.Equal(stopped, want) {
		t.Fatalf("services started %v and stopped %v, want the exact reverse", started, stopped)
	}
	if len(d.logRecords("stopped")) != 1 {
		t.Errorf("want one final 'stopped' line")
	}
}

func TestBadConfigExits78NamingEveryBadKey(t *testing.T) {
	d := launch(t, t.TempDir(), "http:\n  addr: not-an-address\nshutdown:\n  timeout: soon\nlog:\n  levle: debug\n")
	if code := d.waitExit(10 * time.Second); code != 78 {
		t.Fatalf("exit code %d, want 78", code)
	}
	out := d.log()
	for _, key := range []string{"http.addr", "shutdown.timeout", "log.levle"} {
		if !strings.Contains(out, key) {
			t.Errorf("stderr does not name %s:\n%s", key, out)
		}
	}
}

func TestBadFlagExits78(t *testing.T) {
	d := launch(t, t.TempDir(), baseConfig, "--no-such-flag")
	if code := d.waitExit(10 * time.Second); code != 78 {
		t.Fatalf("exit code %d, want 78", code)
	}
}

func TestTwoQuickSIGINTsExitOneAtOnce(t *testing.T) {
	// A 60 s drain: only the second signal can end the process quickly.
	d := startDaemon(t, baseConfig, "--set", "shutdown.drain=60s", "--set", "shutdown.timeout=90s")
	d.signal(syscall.SIGINT)
	if !d.waitLog("stop signal received", 5*time.Second) {
		t.Fatal("first SIGINT not seen")
	}
	d.signal(syscall.SIGINT)
	if code := d.waitExit(10 * time.Second); code != 1 {
		t.Fatalf("exit code %d after two SIGINTs, want 1", code)
	}
	if !strings.Contains(d.log(), "second stop signal") {
		t.Error("no 'second stop signal' log line")
	}
}

func TestSIGHUPAppliesAValidFileAndIgnoresABadOne(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "config.yml")
	if err := os.WriteFile(cfgPath, []byte(baseConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	d := startDaemon(t, baseConfig, "--config", cfgPath)

	if err := os.WriteFile(cfgPath, []byte("shutdown:\n  timeout: never\nhttp:\n  max_body: huge\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	d.signal(syscall.SIGHUP)
	if !d.waitLog("config reload rejected", 5*time.Second) {
		t.Fatal("a bad file on SIGHUP was not rejected with a log line")
	}
	if rec := d.logRecords("config reload rejected; keeping the running configuration"); len(rec) == 0 || !strings.Contains(rec[0]["error"].(string), "shutdown.timeout") ||
		!strings.Contains(rec[0]["error"].(string), "http.max_body") {
		t.Errorf("rejection does not name both bad keys: %v", rec[0]["error"])
	}
	if code, _ := d.get("/readyz"); code != 200 {
		t.Errorf("after a rejected reload /readyz = %d, want 200", code)
	}

	if err := os.WriteFile(cfgPath, []byte(baseConfig+"\nadmin:\n  api_key: new-key\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	d.signal(syscall.SIGHUP)
	if !d.waitLog(`"msg":"config reloaded"`, 5*time.Second) {
		t.Fatal("a valid file on SIGHUP was not applied")
	}
	if strings.Contains(d.log(), "new-key") {
		t.Error("the reload logged a secret")
	}
	d.signal(syscall.SIGTERM)
	if code := d.waitExit(15 * time.Second); code != 0 {
		t.Fatalf("exit %d", code)
	}
}

func TestConfigCommands(t *testing.T) {
	run := func(env []string, args ...string) (string, int) {
		cmd := exec.Command(binary, args...)
		cmd.Env = append(os.Environ(), env...)
		out, err := cmd.CombinedOutput()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		}
		return string(out), code
	}
	if out, code := run(nil, "config", "check"); code != 0 || !strings.Contains(out, "config OK") {
		t.Errorf("config check on defaults = %d %q", code, out)
	}
	out, code := run([]string{"ORCH_ADMIN__API_KEY=topsecret", "ORCH_HTTP__ADDR=127.0.0.1:4000"}, "config", "print")
	if code != 0 || strings.Contains(out, "topsecret") || !strings.Contains(out, "addr: 127.0.0.1:4000") {
		t.Errorf("config print = %d:\n%s", code, out)
	}
	if out, code := run([]string{"ORCH_SHUTDOWN__TIMEOUT=x"}, "config", "check"); code != 78 || !strings.Contains(out, "shutdown.timeout") {
		t.Errorf("config check with a bad env = %d %q", code, out)
	}
	if out, code := run(nil, "version"); code != 0 || !strings.Contains(out, "orchestrator test") {
		t.Errorf("version = %d %q", code, out)
	}
}

func TestSecondDaemonOnTheSameDataDirRefusesToStart(t *testing.T) {
	dataDir := t.TempDir()
	startDaemonIn(t, dataDir, baseConfig)
	second := launch(t, dataDir, baseConfig)
	if code := second.waitExit(15 * time.Second); code != 1 {
		t.Fatalf("second daemon exit code %d, want 1", code)
	}
	if !strings.Contains(second.log(), "another orchestrator") {
		t.Errorf("no clear reason in the log:\n%s", second.log())
	}
}

func TestPprofServesOnItsOwnLoopbackListenerOnly(t *testing.T) {
	d := startDaemon(t, baseConfig, "--set", "debug.addr=127.0.0.1:0")
	recs := d.logRecords("pprof listening")
	if len(recs) != 1 {
		t.Fatalf("no pprof listener logged")
	}
	resp, err := http.Get("http://" + recs[0]["addr"].(string) + "/debug/pprof/cmdline")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("pprof: %v %v", resp, err)
	}
	resp.Body.Close()
	if code, _ := d.get("/debug/pprof/"); code != 404 {
		t.Errorf("pprof on the public listener: %d, want 404", code)
	}
	d.signal(syscall.SIGTERM)
	if code := d.waitExit(15 * time.Second); code != 0 {
		t.Fatalf("exit %d", code)
	}
}
