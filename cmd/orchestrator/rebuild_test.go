package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap/zaptest"

	"orchestrator/actors/journal"
	"orchestrator/actors/store"
	"orchestrator/config"
	"orchestrator/messages"
	"orchestrator/supervision"
)

var newYork, _ = time.LoadLocation("America/New_York")

// completionBody is a provider completion; endAt zero leaves end_at out.
func completionBody(callID, status, answeredBy string, seconds int, merged bool, endAt time.Time) []byte {
	body := map[string]any{"call_id": callID, "to": "+15555550123", "status": status, "answered_by": answeredBy,
		"corrected_duration": seconds}
	if merged {
		body["warm_transfer_call"] = map[string]any{"state": "MERGED"}
	}
	if !endAt.IsZero() {
		body["end_at"] = endAt.UTC().Format(time.RFC3339)
	}
	b, _ := json.Marshal(body)
	return b
}

// writeJournal appends webhooks with the real journal actor, then stops it.
func writeJournal(t *testing.T, dataDir string, appends ...messages.AppendWebhook) {
	t.Helper()
	log := zaptest.NewLogger(t)
	system := supervision.NewSystem(log)
	pid := system.Root.Spawn(supervision.Props(journal.Producer(journal.Deps{
		Log: log, Cfg: config.Default().Journal, DataDir: dataDir, Location: newYork,
		Metrics: journal.NewMetrics(prometheus.NewRegistry()), Readiness: supervision.NewReadiness(),
	}), log, supervision.NewMetrics(prometheus.NewRegistry())))
	for _, m := range appends {
		res, err := system.Root.RequestFuture(pid, m, 10*time.Second).Result()
		if got, ok := res.(messages.WebhookAppended); err != nil || !ok || got.Err != "" {
			t.Fatalf("append: %v %+v", err, res)
		}
	}
	if err := system.Root.PoisonFuture(pid).Wait(); err != nil {
		t.Fatal(err)
	}
}

func completion(callID string, at time.Time, result string, body []byte) messages.AppendWebhook {
	return messages.AppendWebhook{Source: messages.SourceCompletion, RequestID: "r-" + callID, Result: result,
		CallID: callID, Body: body, ReceivedAt: at.UTC()}
}

// storedDays reads the stats bucket's day records.
func storedDays(t *testing.T, dataDir string) map[string]messages.StatsCounts {
	t.Helper()
	st, err := store.Open(filepath.Join(dataDir, "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	out := map[string]messages.StatsCounts{}
	err = st.Bucket(supervision.Stats).Load(func(k, v []byte) error {
		if day, ok := strings.CutPrefix(string(k), "day/"); ok {
			var c messages.StatsCounts
			if err := json.Unmarshal(v, &c); err != nil {
				return err
			}
			out[day] = c
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestStatsRebuildRecomputesTheJournalsDays(t *testing.T) {
	dataDir := t.TempDir()
	now := time.Now().In(newYork)
	noon := func(daysAgo int) time.Time {
		return time.Date(now.Year(), now.Month(), now.Day()-daysAgo, 12, 0, 0, 0, newYork)
	}
	d1, d2, before := noon(2), noon(1), noon(3)
	day := func(at time.Time) string { return at.Format(time.DateOnly) }
	lateOnD1 := time.Date(d2.Year(), d2.Month(), d2.Day(), 0, 0, 0, 0, newYork).Add(-30 * time.Minute)
	writeJournal(t, dataDir,
		completion("c1", d1, messages.ResultProcessed, completionBody("c1", "completed", "voicemail", 30, false, time.Time{})),
		completion("c2", d1.Add(time.Hour), messages.ResultProcessed, completionBody("c2", "completed", "human", 60, true, time.Time{})),
		completion("c9", d1.Add(2*time.Hour), messages.ResultValidationFailed, []byte(`{"call_id":"c9"}`)),
		messages.AppendWebhook{Source: messages.SourceLead, RequestID: "lead", Result: messages.ResultProcessed,
			Body: []byte(`{"lead_id":"1"}`), ReceivedAt: d1.Add(3 * time.Hour).UTC()},
		// c1 again with another status: the first completion of a call wins.
		completion("c1", d2, messages.ResultProcessed, completionBody("c1", "no-answer", "no-answer", 0, false, time.Time{})),
		// Received on d2, but the provider says it ended late on d1.
		completion("c3", d2.Add(time.Minute), messages.ResultProcessed, completionBody("c3", "no-answer", "no-answer", 0, false, lateOnD1)),
		completion("c4", d2.Add(2*time.Minute), messages.ResultProcessed, completionBody("c4", "failed", "", 0, false, time.Time{})),
	)
	// What the daemon had stored: a day before the journal (kept) and a wrong d2 (replaced).
	st, err := store.Open(filepath.Join(dataDir, "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	wrong, _ := json.Marshal(messages.StatsCounts{TotalCalls: 99, CompletedCalls: 99})
	kept, _ := json.Marshal(messages.StatsCounts{TotalCalls: 4, CompletedCalls: 4})
	err = st.Bucket(supervision.Stats).Commit(0, store.Change{Key: "day/" + day(d2), Value: wrong},
		store.Change{Key: "day/" + day(before), Value: kept})
	_ = st.Close()
	if err != nil {
		t.Fatal(err)
	}

	var stdout, stderr bytes.Buffer
	if code := runStats([]string{"rebuild", "--data.dir", dataDir}, &stdout, &stderr); code != exitOK {
		t.Fatalf("exit %d; stderr: %s", code, stderr.String())
	}
	want := map[string]messages.StatsCounts{
		day(before): {TotalCalls: 4, CompletedCalls: 4},
		day(d1): {TotalCalls: 3, CompletedCalls: 3, AnsweredCalls: 1, TransferredCalls: 1, VoicemailCalls: 1,
			NoAnswerCalls: 1},
		day(d2): {TotalCalls: 1, FailedCalls: 1},
	}
	if d := cmp.Diff(want, storedDays(t, dataDir)); d != "" {
		t.Errorf("stored days (-want +got):\n%s", d)
	}
	out := stdout.String()
	for _, line := range []string{
		day(d1) + " total_calls=3 completed_calls=3 failed_calls=0 answered_calls=1 transferred_calls=1 voicemail_calls=1 no_answer_calls=1 ",
		fmt.Sprintf("%s to %s replaced: 4 calls on 2 days; 1 repeated completions skipped", day(d1), day(d2)),
	} {
		if !strings.Contains(out, line) {
			t.Errorf("output lacks %q:\n%s", line, out)
		}
	}

	// A range of one day leaves the others alone.
	if code := runStats([]string{"rebuild", "--from", day(d2), "--to=" + day(d2), "--data.dir", dataDir}, &stdout, &stderr); code != exitOK {
		t.Fatalf("exit %d; stderr: %s", code, stderr.String())
	}
	if d := cmp.Diff(want, storedDays(t, dataDir)); d != "" {
		t.Errorf("stored days after a one-day rebuild (-want +got):\n%s", d)
	}
}

func TestStatsRebuildRefuses(t *testing.T) {
	dataDir := t.TempDir()
	at := time.Now().Add(-time.Hour)
	writeJournal(t, dataDir, completion("c1", at, messages.ResultProcessed, completionBody("c1", "completed", "voicemail", 30, false, time.Time{})))
	first := at.In(newYork).Format(time.DateOnly)
	tests := []struct {
		name    string
		args    []string
		code    int
		problem string
	}{
		{"an unknown subcommand", []string{"recount"}, exitConfig, "needs 'rebuild'"},
		{"a bad date", []string{"rebuild", "--from", "2026-13-01"}, exitConfig, "--from must be a date"},
		{"--to before --from", []string{"rebuild", "--from", "2026-06-10", "--to", "2026-06-09"}, exitConfig, "before --from"},
		{"--from with no date", []string{"rebuild", "--from"}, exitConfig, "needs a date"},
		{"a day the journal no longer holds", []string{"rebuild", "--from", "2020-01-01"}, exitFailure, "before the journal's first day " + first},
		{"no data dir", []string{"rebuild", "--data.dir", filepath.Join(dataDir, "missing")}, exitFailure, "data dir"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{tc.args[0], "--data.dir", dataDir}, tc.args[1:]...) // a later --data.dir wins
			var stdout, stderr bytes.Buffer
			if code := runStats(args, &stdout, &stderr); code != tc.code || !strings.Contains(stderr.String(), tc.problem) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr.String(), tc.code, tc.problem)
			}
		})
	}

	t.Run("while a daemon holds the data dir", func(t *testing.T) {
		st, err := store.Open(filepath.Join(dataDir, "state.db")) // as a running daemon does
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		var stdout, stderr bytes.Buffer
		code := runStats([]string{"rebuild", "--data.dir", dataDir}, &stdout, &stderr)
		if code != exitFailure || !strings.Contains(stderr.String(), "is another orchestrator running on this data dir?") {
			t.Errorf("exit %d, stderr %q; want 1 and the lock named", code, stderr.String())
		}
	})
}
