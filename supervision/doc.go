// Package supervision owns the daemon's lifecycle machinery: the root actor
// that starts the services in a fixed order, restarts a crashed one with
// backoff and stops them one by one in the exact reverse order; the Timers
// every actor uses; the receiver middleware that cancels those timers on
// Stopping and Restarting and keeps a panic from hanging a stop or a caller;
// and the mailbox, restart and timer metrics. It holds no business logic.
//
//	main (cmd/orchestrator)   signals, config, logger, registry, listener, exit code
//	└── root                  OneForOne, restart intensity + exponential backoff
//	    ├── journal           started first, stopped last
//	    ├── ...               services, in ChildSpec order
//	    └── gateway           started last, stopped first
//
// Stop order is the reverse of start order, one child at a time: each child is
// poisoned (its queued messages are handled first) and the next one is asked
// only after it has terminated or missed its per-child deadline.
package supervision
