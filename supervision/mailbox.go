package supervision

import "github.com/asynkron/protoactor-go/actor"

// statsMailbox wraps protoactor's unbounded mailbox to learn its actor's name
// (known only once handlers are registered) and to count handled messages.
type statsMailbox struct {
	actor.Mailbox
	m *Metrics
}

func (m *Metrics) mailboxProducer() actor.MailboxProducer {
	return func() actor.Mailbox { return &statsMailbox{Mailbox: actor.Unbounded()(), m: m} }
}

// RegisterHandlers runs after the actor's PID is set, so the mailbox can be
// registered under the actor's name here.
func (s *statsMailbox) RegisterHandlers(invoker actor.MessageInvoker, d actor.Dispatcher) {
	self, ok := invoker.(interface{ Self() *actor.PID })
	if !ok || self.Self() == nil {
		s.Mailbox.RegisterHandlers(invoker, d)
		return
	}
	name := self.Self().Id
	s.m.addMailbox(name, s.Mailbox)
	s.Mailbox.RegisterHandlers(countingInvoker{MessageInvoker: invoker, c: s.m.messages.WithLabelValues(name)}, d)
}

type countingInvoker struct {
	actor.MessageInvoker
	c interface{ Inc() }
}

func (ci countingInvoker) InvokeUserMessage(msg interface{}) {
	ci.c.Inc()
	ci.MessageInvoker.InvokeUserMessage(msg)
}
