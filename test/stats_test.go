package test

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Call ids of the fixtures posted.
const (
	vmCall     = "8a7b6c5d-1111-4e2f-9a3b-000000000002"
	trCall     = "3f1c2a9e-0b7d-4c61-9e2f-5a1b7c9d0e11"
	failedCall = "8a7b6c5d-1111-4e2f-9a3b-000000000003"
)

type dayStatistics struct {
	Date             string  `json:"date"`
	TotalCalls       int     `json:"total_calls"`
	CompletedCalls   int     `json:"completed_calls"`
	FailedCalls      int     `json:"failed_calls"`
	AnsweredCalls    int     `json:"answered_calls"`
	TransferredCalls int     `json:"transferred_calls"`
	VoicemailCalls   int     `json:"voicemail_calls"`
	NoAnswerCalls    int     `json:"no_answer_calls"`
	TransferRate     float64 `json:"transfer_rate"`
	SuccessRate      float64 `json:"success_rate"`
}

// statistics GETs an admin statistics path and decodes its "statistics".
func (d *daemon) statistics(path string, v any) {
	d.t.Helper()
	code, body := d.do(http.MethodGet, path, nil, http.Header{"X-Api-Key": {adminKey}})
	var answer struct {
		Success    bool            `json:"success"`
		Statistics json.RawMessage `json:"statistics"`
	}
	if code != http.StatusOK || json.Unmarshal(body, &answer) != nil || !answer.Success || json.Unmarshal(answer.Statistics, v) != nil {
		d.t.Fatalf("GET %s = %d %s", path, code, body)
	}
}

// rebuildStats runs `orchestrator stats rebuild` on a data dir.
func rebuildStats(t *testing.T, dataDir string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd := exec.Command(binary, "stats", "rebuild", "--data.dir", dataDir)
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	return code, out.String(), errOut.String()
}

func TestStatisticsCountARepeatedCompletionOnceAndARebuildReproducesThem(t *testing.T) {
	dataDir := t.TempDir()
	d := startDaemonIn(t, dataDir, webhookConfig, "--log.level", "debug")
	ny, _ := time.LoadLocation("America/New_York")
	day := time.Now().In(ny).Format(time.DateOnly)

	voicemail := fixture(t, "bland_completion_voicemail.json")
	for i := range 5 {
		if code, body := post(d.addr, "/webhooks/bland-callback", voicemail, nil); code != 200 {
			t.Fatalf("completion %d = %d %s", i+1, code, body)
		}
	}
	// A new status for the same call gets past the journal's dedupe.
	again := bytes.Replace(voicemail, []byte(`"status": "completed"`), []byte(`"status": "no-answer"`), 1)
	for _, body := range [][]byte{again, fixture(t, "bland_completion_transferred.json"), fixture(t, "bland_completion_failed.json")} {
		if code, out := post(d.addr, "/webhooks/bland-callback", body, nil); code != 200 {
			t.Fatalf("completion = %d %s", code, out)
		}
	}
	// Completions are published in journal order: once the last is counted,
	// the repeats before it have been seen.
	for _, id := range []string{vmCall, trCall, failedCall} {
		if !d.waitLog(`"msg":"call counted","call_id":"`+id, 15*time.Second) {
			t.Fatalf("call %s never counted", id)
		}
	}
	want := dayStatistics{Date: day, TotalCalls: 3, CompletedCalls: 2, FailedCalls: 1, AnsweredCalls: 1,
		TransferredCalls: 1, VoicemailCalls: 1, TransferRate: 100, SuccessRate: 66.67}
	var got dayStatistics
	d.statistics("/api/admin/statistics/date/"+day, &got)
	if got != want {
		t.Fatalf("statistics for %s = %+v, want %+v", day, got, want)
	}
	var today dayStatistics
	if d.statistics("/api/admin/statistics/today", &today); today.Date == day && today != want {
		t.Errorf("today = %+v, want %+v", today, want)
	}
	var rng struct {
		Days   []dayStatistics `json:"days"`
		Totals dayStatistics   `json:"totals"`
	}
	d.statistics("/api/admin/statistics/range?start_date="+day+"&end_date="+day, &rng)
	if len(rng.Days) != 1 || rng.Days[0] != want || rng.Totals.TotalCalls != 3 {
		t.Errorf("range of today = %+v", rng)
	}
	var all dayStatistics
	if d.statistics("/api/admin/statistics/all-time", &all); all.TotalCalls != 3 || all.TransferredCalls != 1 {
		t.Errorf("all time = %+v", all)
	}
	for path, problem := range map[string]string{
		"/api/admin/statistics/date/2026-02-30":                                    "2026-02-30",
		"/api/admin/statistics/range?start_date=2026-06-10&end_date=2026-06-09":    "before start_date",
		"/api/admin/statistics/range?start_date=2020-01-01&end_date=2026-06-09":    "longer than 366 days",
		"/api/admin/statistics/range?start_date=2026-06-10&end_date=next%20monday": "end_date",
	} {
		code, body := d.do(http.MethodGet, path, nil, http.Header{"X-Api-Key": {adminKey}})
		if code != http.StatusBadRequest || !strings.Contains(string(body), problem) {
			t.Errorf("GET %s = %d %s, want 400 naming %q", path, code, body, problem)
		}
	}

	if code, _, stderr := rebuildStats(t, dataDir); code != 1 || !strings.Contains(stderr, "is another orchestrator running on this data dir?") {
		t.Errorf("rebuild while the daemon runs: exit %d, %q; want 1 and the lock named", code, stderr)
	}
	d.signal(syscall.SIGTERM)
	if code := d.waitExit(20 * time.Second); code != 0 {
		t.Fatalf("exit %d after SIGTERM", code)
	}

	wantLine := day + " total_calls=3 completed_calls=2 failed_calls=1 answered_calls=1 transferred_calls=1 voicemail_calls=1 no_answer_calls=0 "
	code, stdout, stderr := rebuildStats(t, dataDir)
	if code != 0 || !strings.Contains(stdout, wantLine) || !strings.Contains(stdout, "1 repeated completions skipped") {
		t.Fatalf("rebuild of the stopped daemon's data dir: exit %d\nstdout: %s\nstderr: %s\nwant a line %q", code, stdout, stderr, wantLine)
	}

	// Into a fresh state file the numbers come from the journal alone; the
	// daemon then replays the journal from the start, and counts nothing twice.
	if err := os.Remove(filepath.Join(dataDir, "state.db")); err != nil {
		t.Fatal(err)
	}
	if code, stdout, stderr := rebuildStats(t, dataDir); code != 0 || !strings.Contains(stdout, wantLine) {
		t.Fatalf("rebuild into a fresh state file: exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	d2 := startDaemonIn(t, dataDir, webhookConfig, "--log.level", "debug")
	for _, id := range []string{vmCall, trCall, failedCall} {
		if !d2.waitLog(`"msg":"call already counted","call_id":"`+id, 15*time.Second) {
			t.Fatalf("the replayed completion of %s was not recognised as counted", id)
		}
	}
	if strings.Contains(d2.log(), `"msg":"call counted"`) {
		t.Error("the restarted daemon counted a call the rebuild had counted")
	}
	d2.statistics("/api/admin/statistics/date/"+day, &got)
	if got != want {
		t.Errorf("statistics after rebuild and restart = %+v, want %+v", got, want)
	}
}
