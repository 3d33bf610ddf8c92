package supervision

import (
	"fmt"
	"runtime/debug"

	"github.com/asynkron/protoactor-go/actor"
	"go.uber.org/zap"

	"orchestrator/messages"
)

// Props builds the props every service is spawned with: the statistics
// mailbox and the lifecycle middleware. Tests of a single actor use it too.
func Props(producer actor.Producer, log *zap.Logger, m *Metrics, opts ...actor.PropsOption) *actor.Props {
	base := []actor.PropsOption{
		actor.WithMailbox(m.mailboxProducer()),
		actor.WithReceiverMiddleware(lifecycle(log, m)),
	}
	return actor.PropsFromProducer(producer, append(base, opts...)...)
}

// lifecycle is the receiver middleware behind the lifecycle rules of DESIGN §3:
//   - Started: a fresh Timers for this incarnation, before the actor sees it;
//   - Stopping, Restarting: every timer cancelled (a restart brings no
//     Stopping), and a panic in the actor's handler is logged, not escalated,
//     because an escalated panic there hangs the parent's stop;
//   - Stopped: the same panic guard, and the actor's gauges are dropped;
//   - timer ticks: unwrapped, or dropped when their timer was cancelled;
//   - any other message: a panic answers the requester with messages.Failed
//     at once, then goes on to the supervisor as usual.
func lifecycle(log *zap.Logger, m *Metrics) actor.ReceiverMiddleware {
	return func(next actor.ReceiverFunc) actor.ReceiverFunc {
		return func(c actor.ReceiverContext, env *actor.MessageEnvelope) {
			name := c.Self().Id
			switch msg := env.Message.(type) {
			case tick:
				if msg.entry.cancelled.Load() {
					return
				}
				msg.owner.delivered(msg.entry)
				env = &actor.MessageEnvelope{Header: env.Header, Message: msg.msg, Sender: env.Sender}
			case *actor.Started:
				t := newTimers(c.Self(), c.ActorSystem().Root.Send)
				c.Set(t)
				m.setTimers(name, t)
			case *actor.Stopping, *actor.Restarting:
				if t, ok := c.Get(timersExtension).(*Timers); ok && t != nil {
					t.CancelAll()
				}
				guard(log, m, name, env, next, c)
				return
			case *actor.Stopped:
				markStarted(c.ActorSystem(), c.Self(), false)
				m.forget(name)
				guard(log, m, name, env, next, c)
				return
			}
			defer func() {
				if r := recover(); r != nil {
					m.panics.WithLabelValues(name).Inc()
					log.Error("panic in actor; supervisor decides", zap.String("actor", name),
						zap.String("message", fmt.Sprintf("%T", env.Message)), zap.Any("reason", r),
						zap.ByteString("stack", debug.Stack()))
					if env.Sender != nil {
						c.ActorSystem().Root.Send(env.Sender, messages.Failed{Actor: name, Reason: fmt.Sprint(r)})
					}
					if fr, ok := env.Message.(messages.FailReplier); ok {
						fr.FailReply(fmt.Sprint(r))
					}
					panic(r) // keep supervision semantics: the supervisor restarts us
				}
			}()
			next(c, env)
			if _, ok := env.Message.(*actor.Started); ok {
				// Reached only when the actor's own Started did not panic:
				// siblings may now talk to it (HasStarted), and the root
				// marks the service started for /readyz.
				markStarted(c.ActorSystem(), c.Self(), true)
				if c.Parent() != nil && c.Parent().Id == RootName {
					c.ActorSystem().Root.Send(c.Parent(), childStarted{pid: c.Self()})
				}
			}
		}
	}
}

// guard runs a lifecycle handler and swallows its panic with a log line.
func guard(log *zap.Logger, m *Metrics, name string, env *actor.MessageEnvelope, next actor.ReceiverFunc, c actor.ReceiverContext) {
	defer func() {
		if r := recover(); r != nil {
			m.panics.WithLabelValues(name).Inc()
			log.Error("panic in lifecycle handler; ignored so the stop goes on", zap.String("actor", name),
				zap.String("message", fmt.Sprintf("%T", env.Message)), zap.Any("reason", r),
				zap.ByteString("stack", debug.Stack()))
		}
	}()
	next(c, env)
}
