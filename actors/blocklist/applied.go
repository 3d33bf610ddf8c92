package blocklist

import (
	"github.com/asynkron/protoactor-go/actor"
	"go.uber.org/zap"

	"orchestrator/messages"
	"orchestrator/supervision"
)

// appliedTick stores the applied sequence the completions scanned since the
// last commit have moved.
type appliedTick struct{}

// applied is how far the completions scanned for DNC phrases go, for the
// resend a restart asks the calls actor for. A completion that adds a flag
// records its sequence with the flag; the many that add none move it in
// memory, and it is stored within appliedEvery (and at stop), so a restart
// is not resent every completion since the last phrase heard.
type applied struct {
	seq    uint64 // the highest completion scanned
	stored uint64 // as committed
	held   bool   // a phrase could not be stored: seq no longer moves, so a restart scans it again
}

// resume asks for the completions published after the applied sequence,
// once the flags are loaded (the first load of this incarnation).
func (b *Blocklist) resume(c actor.Context) {
	if b.resumed {
		return
	}
	seq, err := b.d.Bucket.Applied()
	if err != nil {
		b.d.Log.Error("blocklist applied sequence unreadable; completions are not resent", zap.Error(err))
		return
	}
	b.resumed, b.applied.seq, b.applied.stored = true, seq, seq
	b.resend.Ask(c, seq)
}

// scanned moves the applied sequence past a completion scanned, unless a
// phrase was not stored (this one or an earlier one).
func (b *Blocklist) scanned(c messages.CallCompleted, ok bool) {
	if !ok {
		b.applied.held = true
	}
	if !b.applied.held {
		b.applied.seq = max(b.applied.seq, c.Seq)
	}
}

// seqFor is the sequence a flag added for c commits as applied: none once
// the applied sequence is held.
func (b *Blocklist) seqFor(c messages.CallCompleted) uint64 {
	if b.applied.held {
		return 0
	}
	return c.Seq
}

// armApplied arms the "applied" timer when the sequence moved past what is stored.
func (b *Blocklist) armApplied(c actor.Context) {
	if b.applied.seq > b.applied.stored && !supervision.TimersOf(c).Has("applied") {
		supervision.TimersOf(c).After("applied", appliedEvery, appliedTick{})
	}
}

// storeApplied commits the applied sequence.
func (b *Blocklist) storeApplied() {
	if b.applied.seq <= b.applied.stored {
		return
	}
	if err := b.d.Bucket.Commit(b.applied.seq); err != nil {
		b.d.Log.Warn("blocklist applied sequence not stored; a restart rescans more completions", zap.Error(err))
		return
	}
	b.applied.stored = b.applied.seq
}
