package messages

import "orchestrator/config"

// Failed answers a request whose handler panicked, so the asker learns at
// once instead of waiting for its timeout. The service is restarted.
type Failed struct {
	Actor  string
	Reason string
}

// ConfigChanged carries a reloaded, fully validated configuration (SIGHUP) to
// every service; each takes its own section.
type ConfigChanged struct {
	Config config.Config
}
