package supervision

import (
	"github.com/asynkron/protoactor-go/actor"
	cmap "github.com/orcaman/concurrent-map"
)

// registryBuckets is how many concurrent maps hold the system's PIDs, each
// of 32 locked shards: 512 shards for a daemon of a few dozen actors and
// the futures in flight.
const registryBuckets = 16

// builtIns are the processes NewActorSystem registers (the pinned
// protoactor registers these two; a test checks it is still so).
var builtIns = []string{"deadletter", "eventstream"}

// shrinkRegistry swaps the process registry protoactor builds (1 024
// concurrent maps, 32 768 shards: ~4 MB that stays live for the daemon's
// life, so ~8 MB of heap goal and RSS) for a small one holding the same
// entries. It must run before anything is spawned: NewActorSystem starts no
// goroutine, so nothing reads the registry yet. The entries are looked up
// by id, not by walking the old shards: locking 32 768 mutexes once each
// costs little, but under the race detector each becomes state it keeps.
func shrinkRegistry(system *actor.ActorSystem) {
	small := &actor.SliceMap{LocalPIDs: make([]cmap.ConcurrentMap, registryBuckets)}
	for i := range small.LocalPIDs {
		small.LocalPIDs[i] = cmap.New()
	}
	for _, id := range builtIns {
		if p, ok := system.ProcessRegistry.GetLocal(id); ok {
			small.GetBucket(id).Set(id, p)
		}
	}
	system.ProcessRegistry.LocalPIDs = small
}
