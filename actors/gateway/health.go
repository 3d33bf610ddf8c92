package gateway

import (
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
)

func (g *Gateway) livez(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "alive"})
}

// readyz is 200 only when every component is ready; otherwise 503 with why.
func (g *Gateway) readyz(w http.ResponseWriter, _ *http.Request) {
	ready, reasons := g.d.Readiness.Check()
	if !ready {
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "not_ready", "reasons": reasons})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "ready"})
}

// memoryReport is the memory block the old service's /health had, in MB and
// in bytes, judged against the configured thresholds.
type memoryReport struct {
	Status        string  `json:"status"` // healthy, warning, critical
	RSSMB         float64 `json:"rss_mb"`
	HeapUsedMB    float64 `json:"heap_used_mb"`
	HeapTotalMB   float64 `json:"heap_total_mb"`
	RSSBytes      uint64  `json:"rss_bytes"`
	HeapUsedBytes uint64  `json:"heap_used_bytes"`
	HeapTotal     uint64  `json:"heap_total_bytes"`
	WarningMB     float64 `json:"warning_mb"`
	CriticalMB    float64 `json:"critical_mb"`
}

type healthReport struct {
	Status        string            `json:"status"` // healthy, degraded
	Ready         bool              `json:"ready"`
	NotReady      map[string]string `json:"not_ready,omitempty"`
	Version       string            `json:"version"`
	GoVersion     string            `json:"go_version"`
	Timestamp     time.Time         `json:"timestamp"`
	StartedAt     time.Time         `json:"started_at"`
	UptimeSeconds float64           `json:"uptime_seconds"`
	Goroutines    int               `json:"goroutines"`
	Memory        memoryReport      `json:"memory"`
}

func (g *Gateway) health(w http.ResponseWriter, _ *http.Request) {
	ready, reasons := g.d.Readiness.Check()
	mem := g.memory()
	status := "healthy"
	if !ready || mem.Status != "healthy" {
		status = "degraded"
	}
	now := time.Now().UTC()
	writeJSON(w, http.StatusOK, healthReport{
		Status: status, Ready: ready, NotReady: reasons,
		Version: g.d.Version, GoVersion: runtime.Version(),
		Timestamp: now, StartedAt: g.d.StartedAt.UTC(),
		UptimeSeconds: now.Sub(g.d.StartedAt).Round(time.Millisecond).Seconds(),
		Goroutines:    runtime.NumGoroutine(),
		Memory:        mem,
	})
}

func (g *Gateway) memory() memoryReport {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	rss := residentBytes()
	warn, crit := uint64(g.d.Cfg.Memory.WarningRSS), uint64(g.d.Cfg.Memory.CriticalRSS)
	status := "healthy"
	switch {
	case rss >= crit:
		status = "critical"
	case rss >= warn:
		status = "warning"
	}
	return memoryReport{
		Status: status, RSSBytes: rss, HeapUsedBytes: ms.HeapInuse, HeapTotal: ms.HeapSys,
		RSSMB: mb(rss), HeapUsedMB: mb(ms.HeapInuse), HeapTotalMB: mb(ms.HeapSys),
		WarningMB: mb(warn), CriticalMB: mb(crit),
	}
}

func mb(b uint64) float64 { return float64(b*100/(1<<20)) / 100 }

// residentBytes reads the process RSS from /proc; 0 where there is none.
func residentBytes() uint64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	fields := strings.Fields(string(b))
	if len(fields) < 2 {
		return 0
	}
	pages, err := strconv.ParseUint(fields[1], 10, 64)
	if err != nil {
		return 0
	}
	return pages * uint64(os.Getpagesize())
}
