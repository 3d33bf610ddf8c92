package redial

import (
	"fmt"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"orchestrator/actors/store"
	"orchestrator/messages"
)

// BenchmarkDueTick measures one due tick over 100 000 records of which only
// k are due: popping and submitting the k, each with its full record read
// from the state file for the lead's facts (then putting them back, so every
// iteration sees the same state). Its cost grows with k, not with the
// records waiting.
func BenchmarkDueTick(b *testing.B) {
	const records = 100_000
	for _, k := range []int{10, 100, 1000} {
		b.Run(fmt.Sprintf("k=%d", k), func(b *testing.B) {
			now := ny(2026, 3, 2, 11, 0)
			cfg := testConfig()
			cfg.MaxInFlight = records
			bucket := openBucket(b)
			r := &Redial{d: Deps{Log: zap.NewNop(), Cfg: cfg, Schedule: testHours(b), Bucket: bucket,
				Metrics: NewMetrics(prometheus.NewRegistry())}}
			r.reset()
			changes := make([]store.Change, 0, records)
			for i := range records {
				p := messages.Phone(fmt.Sprintf("+1555%07d", i))
				due := now.Add(time.Duration(1+i%5000) * time.Minute) // later today and the days after
				if i < k {
					due = now.Add(-time.Duration(i+1) * time.Second)
				}
				rec := newRecord(p, now.Add(-time.Hour))
				rec.Lead = messages.Lead{LeadID: fmt.Sprint("L", i), ListID: "7", Phone: p, FirstName: "Jane"}
				rec.Attempts, rec.NextDue = 1, due
				s := &slim{}
				s.fill(rec, r.strs)
				r.index[p] = s
				r.counts[rec.Status]++
				r.due = append(r.due, entry{due: s.nextDue, s: s})
				changes = append(changes, store.Change{Key: recPrefix + string(p), Value: encodeRecord(rec)})
			}
			if err := bucket.Commit(0, changes...); err != nil {
				b.Fatal(err)
			}
			r.due.init()
			sent := 0
			send := func(messages.DialRequest) { sent++ }
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if n := r.takeDue(now, send); n != k {
					b.Fatalf("took %d, want %d", n, k)
				}
				for p := range r.inflight { // the answers: back in the heap at the same due
					delete(r.inflight, p)
					r.due.push(entry{due: r.index[p].nextDue, s: r.index[p]})
				}
			}
		})
	}
}
