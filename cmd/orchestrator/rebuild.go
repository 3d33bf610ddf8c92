package main

import (
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"go.uber.org/zap"

	"orchestrator/actors/journal"
	"orchestrator/actors/stats"
	"orchestrator/actors/store"
	"orchestrator/config"
	"orchestrator/messages"
	"orchestrator/supervision"
)

// runStats is `orchestrator stats rebuild [--from DATE] [--to DATE] [flags]`:
// it recomputes days of statistics from the journal into the state file.
// Bad flags exit 78; a data dir held by a running daemon, or any failure to
// read or write, exits 1.
func runStats(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "rebuild" {
		fmt.Fprintln(stderr, "orchestrator: stats needs 'rebuild'")
		return exitConfig
	}
	from, to, rest, err := rangeFlags(args[1:])
	if err != nil {
		fmt.Fprintf(stderr, "orchestrator: stats rebuild: %v\n", err)
		return exitConfig
	}
	cfg, _, code := loadConfig(rest, stderr, os.Environ())
	if code != exitOK {
		return code
	}
	if err := rebuild(cfg, from, to, stdout); err != nil {
		fmt.Fprintf(stderr, "orchestrator: stats rebuild: %v\n", err)
		return exitFailure
	}
	return exitOK
}

// rangeFlags takes --from and --to (either form, --flag VALUE or
// --flag=VALUE) out of args and checks them; the rest are config flags.
func rangeFlags(args []string) (from, to string, rest []string, err error) {
	for i := 0; i < len(args); i++ {
		name, value, hasValue := strings.Cut(strings.TrimLeft(args[i], "-"), "=")
		if !strings.HasPrefix(args[i], "-") || (name != "from" && name != "to") {
			rest = append(rest, args[i])
			continue
		}
		if !hasValue {
			if i+1 == len(args) {
				return "", "", nil, fmt.Errorf("--%s needs a date YYYY-MM-DD", name)
			}
			i++
			value = args[i]
		}
		if _, perr := time.Parse(time.DateOnly, value); perr != nil {
			return "", "", nil, fmt.Errorf("--%s must be a date YYYY-MM-DD, got %q", name, value)
		}
		if name == "from" {
			from = value
		} else {
			to = value
		}
	}
	if from != "" && to != "" && to < from {
		return "", "", nil, fmt.Errorf("--to %s is before --from %s", to, from)
	}
	return from, to, rest, nil
}

// rebuild recomputes the days from..to (default: from the journal's first
// day to its last completion's) exactly as the live actor counts them: the
// processed completion records in journal order, the first of each call id,
// on the business day of the provider's end time or else of receipt.
func rebuild(cfg config.Config, from, to string, out io.Writer) error {
	if _, err := os.Stat(cfg.Data.Dir); err != nil {
		return fmt.Errorf("data dir: %w", err)
	}
	// Open takes the state file's lock, so a running daemon is refused here.
	st, err := store.Open(filepath.Join(cfg.Data.Dir, "state.db"))
	if err != nil {
		return err
	}
	defer st.Close()
	schedule, err := loadSchedule(cfg.Business, st, zap.NewNop()) // the zone the daemon counts in
	if err != nil {
		return err
	}
	hours := schedule.Hours()
	dir := journal.Dir(cfg.Data.Dir)
	segments, err := journal.Days(dir)
	if err != nil {
		return err
	}
	if len(segments) == 0 {
		fmt.Fprintf(out, "stats rebuild: the journal in %s is empty; nothing rebuilt\n", dir)
		return nil
	}
	first, last := segments[0], segments[len(segments)-1]
	if from != "" && from < first {
		return fmt.Errorf("--from %s is before the journal's first day %s (older segments were deleted by journal.retention); "+
			"those days cannot be recomputed", from, first)
	}
	r := stats.Rebuilt{Days: map[string]messages.StatsCounts{}, Today: hours.Day(time.Now()), Window: cfg.Stats.DedupeDays}
	seen := map[string]bool{}
	repeats, unreadable := 0, 0
	err = journal.Scan(dir, 0, func(rec journal.Record) error {
		if rec.Source != messages.SourceCompletion || rec.Result != messages.ResultProcessed {
			return nil
		}
		cc, err := messages.ParseCompletion(rec.Body)
		if err != nil {
			unreadable++
			return nil
		}
		if seen[cc.CallID] {
			repeats++
			return nil
		}
		seen[cc.CallID] = true
		cc.Seq = rec.Seq
		if cc.CompletedAt.IsZero() { // as the calls actor fills it
			cc.CompletedAt = rec.ReceivedAt
		}
		day := hours.Day(cc.CompletedAt)
		r.Days[day] = stats.Apply(r.Days[day], cc)
		r.Calls = append(r.Calls, stats.Counted{CallID: cc.CallID, Day: day, Seq: rec.Seq})
		last = max(last, day)
		return nil
	})
	if err != nil {
		return fmt.Errorf("read the journal: %w", err)
	}
	r.From, r.To = orDefault(from, first), orDefault(to, last)
	if r.To < r.From {
		return fmt.Errorf("nothing to rebuild from %s to %s: the journal holds %s to %s", r.From, r.To, first, last)
	}
	if err := stats.Replace(st.Bucket(supervision.Stats), r); err != nil {
		return err
	}
	report(out, r, repeats, unreadable)
	return nil
}

// orDefault is v, or def when v is empty.
func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// report prints each rebuilt day with calls and a summary line.
func report(out io.Writer, r stats.Rebuilt, repeats, unreadable int) {
	calls, days := 0, 0
	for _, day := range slices.Sorted(maps.Keys(r.Days)) {
		if day < r.From || day > r.To {
			continue
		}
		c := r.Days[day]
		calls += c.TotalCalls
		days++
		fmt.Fprintf(out, "%s total_calls=%d completed_calls=%d failed_calls=%d answered_calls=%d transferred_calls=%d "+
			"voicemail_calls=%d no_answer_calls=%d busy_calls=%d not_interested_calls=%d callback_requested_calls=%d\n",
			day, c.TotalCalls, c.CompletedCalls, c.FailedCalls, c.AnsweredCalls, c.TransferredCalls,
			c.VoicemailCalls, c.NoAnswerCalls, c.BusyCalls, c.NotInterestedCalls, c.CallbackRequestedCalls)
	}
	fmt.Fprintf(out, "stats rebuild: %s to %s replaced: %d calls on %d days; %d repeated completions skipped, %d unreadable\n",
		r.From, r.To, calls, days, repeats, unreadable)
}
