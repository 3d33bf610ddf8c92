package supervision

import (
	"sync"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/extensions"
)

// At the pinned protoactor, an actor's PID is registered before its mailbox
// has a dispatcher (props.go:51-61): a message posted to it in that window
// panics in the sender, and one posted before Started is queued may be
// handled first. So a service that talks first to a sibling
// spawned after it waits until HasStarted says the sibling ran its Started.

var startedExtension = extensions.NextExtensionID()

// startedSet is, per actor system, the actors that have run their Started
// under the lifecycle middleware and not stopped since.
type startedSet struct{ ids sync.Map }

func (*startedSet) ExtensionID() extensions.ExtensionID { return startedExtension }

func startedOf(system *actor.ActorSystem) *startedSet {
	s, _ := system.Extensions.Get(startedExtension).(*startedSet)
	return s
}

// HasStarted reports whether pid's actor has run its Started and not
// stopped since. On a system not made by NewSystem it can only tell whether
// pid is registered.
func HasStarted(system *actor.ActorSystem, pid *actor.PID) bool {
	if s := startedOf(system); s != nil {
		_, ok := s.ids.Load(pid.Id)
		return ok
	}
	_, ok := system.ProcessRegistry.Get(pid)
	return ok
}

func markStarted(system *actor.ActorSystem, pid *actor.PID, started bool) {
	s := startedOf(system)
	switch {
	case s == nil:
	case started:
		s.ids.Store(pid.Id, true)
	default:
		s.ids.Delete(pid.Id)
	}
}
