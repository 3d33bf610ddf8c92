package messages

import "orchestrator/config"

// Failed answers a request that was not done: its handler panicked (the
// service is then restarted), or the service refused it (e.g. the CRM
// outbox is full). The asker learns at once instead of waiting for its
// timeout, and treats it as not done.
type Failed struct {
	Actor  string
	Reason string
}

// ConfigChanged carries a reloaded, fully validated configuration (SIGHUP) to
// every service; each takes its own section.
type ConfigChanged struct {
	Config config.Config
}

// FailReplier is a request that carries its own reply channel instead of a
// sender PID; when its handler panics, the supervision middleware calls
// FailReply so the asker is still answered at once.
type FailReplier interface {
	FailReply(reason string)
}
