package calls

import (
	"fmt"
	"testing"
	"time"

	"orchestrator/actors/store"
	"orchestrator/messages"
)

// benchRig is a rig whose state file holds n ended calls (a week's worth
// of index keys) and held phones in flight, written directly.
func benchRig(b *testing.B, ended, inFlight int) *rig {
	b.Helper()
	dir := b.TempDir()
	s, err := store.Open(dir + "/state.db")
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now().UTC()
	var changes []store.Change
	flush := func() {
		if err := s.Bucket("calls").Commit(uint64(ended), changes...); err != nil {
			b.Fatal(err)
		}
		changes = changes[:0]
	}
	for i := range ended {
		at := now.Add(-time.Duration(ended-i) * 6 * time.Second) // a week for 100 000
		cl := &call{Intent: intentName(uint64(i + 1)), CallID: fmt.Sprintf("dry-%032x", i), Kind: messages.DialNewLead,
			Lead: leadRef{LeadID: fmt.Sprint("L", i), ListID: "1"}, Phone: messages.Phone(fmt.Sprintf("+1200%07d", i)),
			From: "+15555550188", State: stateDone, RequestedAt: stampOf(at), DialledAt: stampOf(at), EndedAt: stampOf(at),
			Outcome: messages.OutcomeVoicemail, CompletedSeq: uint64(i + 1), PublishedSeq: uint64(i + 1)}
		changes = append(changes, store.Change{Key: callPrefix + cl.Intent, Value: cl.encode()})
		changes = append(changes, indexesOf(cl)...)
		if len(changes) > 30000 {
			flush()
		}
	}
	var dials []leadDial
	for i := range inFlight {
		n := uint64(ended + i + 1)
		cl := &call{Intent: intentName(n), CallID: fmt.Sprintf("dry-%032x", n), Kind: messages.DialNewLead,
			Lead: leadRef{LeadID: fmt.Sprint("F", i), ListID: "1"}, Phone: messages.Phone(fmt.Sprintf("+1300%07d", i)),
			From: "+15555550188", State: stateInFlight, RequestedAt: stampOf(now), DialledAt: stampOf(now)}
		p := &phone{InFlight: cl.Intent}
		changes = append(changes, store.Change{Key: callPrefix + cl.Intent, Value: cl.encode()},
			store.Change{Key: phonePrefix + string(cl.Phone), Value: p.encode()})
		dials = append(dials, leadDial{lead: cl.Lead.LeadID, at: cl.RequestedAt})
		if len(changes) > 30000 {
			flush()
		}
	}
	changes = append(changes, dialLogChange(dials, uint64(ended+inFlight))...)
	changes = append(changes, store.Change{Key: layoutKey, Value: []byte{layout}})
	flush()
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	r := newRig(b, dir, hoursOf(b, everyDay, false))
	r.memory()
	return r
}

// A start with 100 000 calls in flight (each read back) and a week of ended
// calls (not read).
func BenchmarkStartWith100kInFlight(b *testing.B) {
	r := benchRig(b, 100000, 100000)
	defer r.close()
	for b.Loop() {
		r.stopCalls()
		r.start()
		r.memory()
	}
}

// Where a resend starts: the consumer is a few completions behind, or a
// whole week.
func BenchmarkResendFrom(b *testing.B) {
	r := benchRig(b, 100000, 0)
	defer r.close()
	for _, after := range []uint64{99990, 0} {
		b.Run(fmt.Sprint("after ", after), func(b *testing.B) {
			for b.Loop() {
				pid, rec := r.probe()
				r.system.Root.Send(r.pid, messages.ResendCompletions{After: after, To: pid})
				<-rec.got // the fake journal has none of them: CompletionsResent at once
				r.system.Root.Stop(pid)
			}
		})
	}
}

// The admin API's phone history scans a week of calls.
func BenchmarkPhoneHistory(b *testing.B) {
	r := benchRig(b, 100000, 0)
	defer r.close()
	for b.Loop() {
		res, err := r.system.Root.RequestFuture(r.pid, messages.GetPhoneHistory{Phone: "+12000000007"}, 10*time.Second).Result()
		if err != nil || len(res.(messages.PhoneHistory).Calls) != 1 {
			b.Fatalf("%+v, %v", res, err)
		}
	}
}

// The prune's walk over a week of calls, none yet due.
func BenchmarkPruneWalk(b *testing.B) {
	r := benchRig(b, 100000, 0)
	defer r.close()
	for b.Loop() {
		r.system.Root.Send(r.pid, pruneTick{})
		for r.pruning() {
		}
	}
}

func (r *rig) pruning() bool {
	res, err := r.system.Root.RequestFuture(r.pid, getMemory{}, 10*time.Second).Result()
	if err != nil {
		r.t.Fatal(err)
	}
	return res.(memory).pruning
}
