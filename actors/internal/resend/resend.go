package resend

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"go.uber.org/zap"

	"orchestrator/messages"
	"orchestrator/supervision"
)

// Retry is the Asker's timer message; the consumer answers it with Ask.
type Retry struct{}

const (
	// spawnWait is how often Ask looks for a calls actor not yet started.
	spawnWait = 50 * time.Millisecond
	// errorWait is the pause before asking again after a failed resend.
	errorWait = time.Second
	timerKey  = "resend"
)

// Asker asks the calls actor to publish a consumer's missed completions
// again; one per incarnation.
type Asker struct {
	Calls *actor.PID // nil: nothing is asked
	Log   *zap.Logger
	open  bool   // asked, and not yet told the resend is complete
	after uint64 // what was asked for while open
}

// Ask asks for every completion published after applied (the sequence
// just loaded, in Started), now if the calls actor has started, else once it
// is.
func (a *Asker) Ask(c actor.Context, applied uint64) {
	if a.Calls == nil {
		return
	}
	a.open, a.after = true, applied
	a.send(c)
}

// Retried asks again, on the Asker's own Retry, for what is still open.
func (a *Asker) Retried(c actor.Context) {
	if a.open {
		a.send(c)
	}
}

func (a *Asker) send(c actor.Context) {
	if !supervision.HasStarted(c.ActorSystem(), a.Calls) {
		supervision.TimersOf(c).After(timerKey, spawnWait, Retry{})
		return
	}
	c.Send(a.Calls, messages.ResendCompletions{After: a.after, To: c.Self()})
}

// Resent takes the calls actor's answer: the resend is complete, or failed
// and is asked for again, from the same sequence.
func (a *Asker) Resent(c actor.Context, m messages.CompletionsResent) {
	if !a.open {
		return
	}
	if m.Err != "" {
		a.Log.Warn("completions not resent; asking again", zap.Uint64("after", a.after), zap.String("err", m.Err),
			zap.Duration("in", errorWait))
		supervision.TimersOf(c).After(timerKey, errorWait, Retry{})
		return
	}
	a.open = false
	a.Log.Info("completions resent", zap.Uint64("after", a.after), zap.Uint64("through", m.Through))
}
