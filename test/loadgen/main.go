// Command loadgen measures the webhook intake against a bare net/http
// ceiling: the same load (N clients on loopback, ~2 KB distinct completion
// bodies) against (a) a bare handler that reads the body and answers 200, in
// its own process, (b) the durable floor, a minimal server that appends each
// body to a file with group commit and nothing else, (c) the daemon's POST
// /webhooks/bland-callback with its durable group-commit journal, and (d) the
// daemon's intake alone. It prints req/s, p50 and p99 for each, the ratios to
// (a), each server's CPU per request, and the daemon's RSS after the run.
// `make bench` runs it.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	bin := flag.String("bin", "bin/orchestrator", "daemon binary")
	clients := flag.Int("clients", 50, "concurrent clients")
	requests := flag.Int("requests", 100000, "requests per target")
	size := flag.Int("size", 2048, "approximate body size in bytes")
	bare := flag.Bool("serve-bare", false, "internal: serve the bare handler and print its address")
	floor := flag.Bool("serve-floor", false, "internal: serve the least durable server (group commit, nothing else) and print its address")
	intake := flag.Bool("serve-intake", false, "internal: serve the daemon's intake alone (gateway and journal) and print its address")
	leads := flag.String("leads", "", "instead: post this many distinct lead webhooks to the daemon at this address (host:port) and exit")
	target := flag.String("target", "", "instead: load this running daemon's bland-callback (host:port) and exit (for profiling)")
	known := flag.Int("known", 0, "instead: start the daemon, dial this many leads (dry run), then post each call's completion (the common path) and exit")
	flag.Parse()
	if *bare {
		serveBare()
		return
	}
	if *floor {
		if err := serveFloor(); err != nil {
			fmt.Fprintln(os.Stderr, "loadgen floor:", err)
			os.Exit(1)
		}
		return
	}
	if *intake {
		if err := serveIntake(); err != nil {
			fmt.Fprintln(os.Stderr, "loadgen intake:", err)
			os.Exit(1)
		}
		return
	}
	if *target != "" {
		measure("daemon bland-callback", "http://"+*target+"/webhooks/bland-callback", *clients, *requests, *size)
		return
	}
	if *known > 0 {
		if err := runKnown(*bin, *clients, *known, *size); err != nil {
			fmt.Fprintln(os.Stderr, "loadgen:", err)
			os.Exit(1)
		}
		return
	}
	if *leads != "" {
		postLeads(*leads, *clients, *requests)
		return
	}
	if err := run(*bin, *clients, *requests, *size); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

func run(bin string, clients, requests, size int) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	dataDir, err := os.MkdirTemp("", "loadgen-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dataDir)
	fmt.Printf("load: %d clients, %d requests per target, ~%d B bodies, loopback\n", clients, requests, size)
	// Each server runs alone, started in turn: (a) the ceiling, (b) the
	// least any durable intake pays here (group commit and nothing else),
	// (c) the daemon, (d) the daemon's intake alone, without the services'
	// work on each webhook that shares the same cores in (c).
	own := func(flag string) func() (*proc, string, error) {
		return func() (*proc, string, error) { return startProc(exec.Command(self, flag), "addr=") }
	}
	targets := []struct {
		name, path string
		start      func() (*proc, string, error)
	}{
		{"bare net/http", "/", own("-serve-bare")},
		{"durable floor", "/", own("-serve-floor")},
		{"daemon bland-callback", "/webhooks/bland-callback", func() (*proc, string, error) {
			return startDaemon(bin, "--data.dir", dataDir, "--set", "shutdown.drain=0s")
		}},
		{"intake alone", "/webhooks/bland-callback", own("-serve-intake")},
	}
	var got [4]result
	var cpu [4]time.Duration
	var daemonRSS int64
	for i, t := range targets {
		proc, addr, err := t.start()
		if err != nil {
			return fmt.Errorf("%s: %w", t.name, err)
		}
		before := cpuTime(proc.pid())
		got[i] = measure(t.name, "http://"+addr+t.path, clients, requests, size)
		cpu[i] = cpuTime(proc.pid()) - before
		if i == 2 {
			daemonRSS = rss(proc.pid())
		}
		stopProc(proc)
	}
	bare, floor, daemon, intake := got[0], got[1], got[2], got[3]
	fmt.Printf("ratio daemon/bare: %.1f%% of req/s (durable floor/bare: %.1f%%, intake alone/bare: %.1f%%)\n",
		100*daemon.rps/bare.rps, 100*floor.rps/bare.rps, 100*intake.rps/bare.rps)
	// CPU per request is steadier than req/s on a shared machine: it does not
	// depend on what else runs, only on the work each request causes (for the
	// daemon, the services' work behind it that finished during the run).
	per := func(d time.Duration) time.Duration { return (d / time.Duration(requests)).Round(time.Microsecond) }
	fmt.Printf("server CPU per request: bare %s, durable floor %s, daemon %s, intake alone %s\n",
		per(cpu[0]), per(cpu[1]), per(cpu[2]), per(cpu[3]))
	fmt.Printf("load generator CPU per request: bare %s, durable floor %s, daemon %s, intake alone %s\n",
		bare.genCPU.Round(time.Microsecond), floor.genCPU.Round(time.Microsecond),
		daemon.genCPU.Round(time.Microsecond), intake.genCPU.Round(time.Microsecond))
	fmt.Printf("machine busy: bare %.0f%%, durable floor %.0f%%, daemon %.0f%%, intake alone %.0f%%\n",
		100*bare.busy, 100*floor.busy, 100*daemon.busy, 100*intake.busy)
	fmt.Printf("daemon RSS after %d webhooks: %.1f MB\n", requests, float64(daemonRSS)/(1<<20))
	return nil
}

// result is one target's measure: its req/s, and what the run cost the
// machine besides the server (the load generator's own CPU per request, and
// how busy both cores were), since on 2 cores they share it.
type result struct {
	rps    float64
	genCPU time.Duration // this process's CPU per request
	busy   float64       // share of the machine's CPU time not idle, 0..1
}

func measure(name, url string, clients, requests, size int) result {
	tmpl := newTemplate(fmt.Sprintf("%s-%d", strings.Fields(name)[0], time.Now().UnixNano()), size)
	return measureBodies(name, url, clients, requests, tmpl.body)
}

// measureBodies posts body(1..requests) from clients at once and prints
// req/s, p50 and p99.
func measureBodies(name, url string, clients, requests int, body func(int64) []byte) result {
	tr := &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}
	c := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	defer tr.CloseIdleConnections()
	var next, failed atomic.Int64
	lat := make([][]time.Duration, clients)
	var wg sync.WaitGroup
	genCPU := cpuTime(os.Getpid())
	busy0, total0 := machineCPU()
	start := time.Now()
	for w := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1)
				if i > int64(requests) {
					return
				}
				b := body(i)
				t0 := time.Now()
				resp, err := c.Post(url, "application/json", bytes.NewReader(b))
				if err != nil {
					failed.Add(1)
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode/100 != 2 {
					failed.Add(1)
				}
				lat[w] = append(lat[w], time.Since(t0))
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	genCPU = cpuTime(os.Getpid()) - genCPU
	busy1, total1 := machineCPU()
	all := slices.Concat(lat...)
	slices.Sort(all)
	pct := func(p float64) time.Duration { return all[int(p*float64(len(all)-1))] }
	rps := float64(len(all)) / elapsed.Seconds()
	fmt.Printf("%-22s %8.0f req/s  p50 %-9s p99 %-9s failed %d\n", name, rps,
		pct(0.50).Round(time.Microsecond), pct(0.99).Round(time.Microsecond), failed.Load())
	res := result{rps: rps, genCPU: genCPU / time.Duration(max(1, requests))}
	if total1 > total0 {
		res.busy = float64(busy1-busy0) / float64(total1-total0)
	}
	return res
}

// template renders distinct bodies cheaply, so the load generator spends its
// CPU on requests rather than on JSON encoding (on 2 cores it shares the
// machine with the server it measures).
type template struct{ head, tail []byte }

func newTemplate(prefix string, size int) template {
	b := completion(prefix+"-\x00", size)
	i := bytes.IndexByte(b, 0)
	if i < 0 {
		b = completion(prefix+"-@@", size)
		i = bytes.Index(b, []byte("@@"))
		return template{head: b[:i], tail: b[i+2:]}
	}
	return template{head: b[:i], tail: b[i+1:]}
}

func (t template) body(i int64) []byte {
	out := make([]byte, 0, len(t.head)+len(t.tail)+20)
	out = append(out, t.head...)
	out = strconv.AppendInt(out, i, 10)
	return append(out, t.tail...)
}

func completion(callID string, size int) []byte {
	m := map[string]any{"call_id": callID, "status": "completed", "to": "+15555550123", "from": "+15555550188",
		"answered_by": "voicemail", "call_length": 0.5, "corrected_duration": 30,
		"variables": map[string]any{"lead_id": "900123", "list_id": "4242"}}
	b, _ := json.Marshal(m)
	m["concatenated_transcript"] = strings.Repeat("t", max(0, size-len(b)-30))
	b, _ = json.Marshal(m)
	return b
}

// serveBare is the ceiling: read the body, answer 200.
func serveBare() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "addr=%s\n", ln.Addr())
	_ = http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusOK)
	}))
}

// startProc starts one of this program's own servers and waits for the
// stderr line with marker, returning the address that follows it (they
// print nothing else).
func startProc(cmd *exec.Cmd, marker string) (*proc, string, error) {
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, "", err
	}
	if err := cmd.Start(); err != nil {
		return nil, "", err
	}
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		line := sc.Text()
		if i := strings.Index(line, marker); i >= 0 {
			addr := line[i+len(marker):]
			addr = strings.TrimRight(addr[:strings.IndexAny(addr+`"`, `" `)], `"`)
			go func() { _, _ = io.Copy(io.Discard, stderr) }()
			return waited(cmd), addr, nil
		}
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	return nil, "", fmt.Errorf("%s exited before printing its address", cmd.Path)
}

// startDaemon starts the daemon on a free loopback port and waits until it
// is ready. Its logs go to the null device: it still formats and writes
// them (its own cost), but no process here reads them, since draining a
// few lines per webhook would charge the load generator's CPU, shared with
// the server, for the daemon's logs (~15 µs per request, measured).
func startDaemon(bin string, args ...string) (*proc, string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", err
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	cmd := exec.Command(bin, append([]string{"run", "--http.addr", addr}, args...)...)
	if err := cmd.Start(); err != nil {
		return nil, "", err
	}
	p := waited(cmd)
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); {
		if resp, err := http.Get("http://" + addr + "/readyz"); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p, addr, nil
			}
		}
		select { // a tool polling its child, not a test
		case <-p.exited:
			return nil, "", fmt.Errorf("%s exited (%s) before it was ready; run it by hand to see why", bin, cmd.ProcessState)
		case <-time.After(20 * time.Millisecond):
		}
	}
	stopProc(p)
	return nil, "", fmt.Errorf("%s not ready in 30 s", bin)
}

func waited(cmd *exec.Cmd) *proc {
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	return &proc{cmd: cmd, exited: exited}
}

// proc is a child server; exited is closed once it has been waited for.
type proc struct {
	cmd    *exec.Cmd
	exited <-chan struct{}
}

func (p *proc) pid() int { return p.cmd.Process.Pid }

// stopProc interrupts p and waits for it to exit (killing it after 10 s).
func stopProc(p *proc) {
	_ = p.cmd.Process.Signal(os.Interrupt)
	select {
	case <-p.exited:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}

// cpuTime reads a process's user+system CPU time from /proc (0 elsewhere).
func cpuTime(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name (field 2) may hold spaces: count fields after its ')'.
	fields := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(fields) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	return time.Duration(utime+stime) * time.Second / 100 // USER_HZ is 100 on Linux
}

// machineCPU reads the machine's CPU time from /proc/stat's first line, in
// clock ticks: busy (all but idle and iowait) and total (0, 0 elsewhere).
func machineCPU() (busy, total int64) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	fields := strings.Fields(line)
	if len(fields) < 5 || fields[0] != "cpu" {
		return 0, 0
	}
	for i, f := range fields[1:] {
		v, _ := strconv.ParseInt(f, 10, 64)
		total += v
		if i != 3 && i != 4 { // idle, iowait
			busy += v
		}
	}
	return busy, total
}

// rss reads a process's resident set from /proc.
func rss(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			var kb int64
			fmt.Sscanf(strings.TrimSpace(strings.TrimPrefix(line, "VmRSS:")), "%d", &kb)
			return kb << 10
		}
	}
	return 0
}

// postLeads fills a running daemon with n distinct leads (distinct phones),
// for measuring the services that keep a record per lead.
func postLeads(addr string, clients, n int) {
	c := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}, Timeout: 30 * time.Second}
	var next, failed atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1)
				if i > int64(n) {
					return
				}
				body := fmt.Sprintf(`{"lead_id":"L%d","list_id":"1","phone_number":"+1%010d","first_name":"Load"}`, i, 2000000000+i)
				resp, err := c.Post("http://"+addr+"/webhooks/awhealth-outbound", "application/json", strings.NewReader(body))
				if err != nil || resp.StatusCode/100 != 2 {
					failed.Add(1)
				}
				if resp != nil {
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
			}
		}()
	}
	wg.Wait()
	fmt.Printf("%d leads posted in %s, %d failed\n", n, time.Since(start).Round(time.Millisecond), failed.Load())
}
