package supervision

import (
	"log/slog"

	"github.com/asynkron/protoactor-go/actor"
	"go.uber.org/zap"
	"go.uber.org/zap/exp/zapslog"
	"go.uber.org/zap/zapcore"
)

// NewSystem makes an actor system whose own log/slog output goes into zap at
// warn and above: protoactor logs every dead letter and recovery at info with
// ANSI colours, which is noise next to our structured lines.
func NewSystem(log *zap.Logger) *actor.ActorSystem {
	system := actor.NewActorSystem(actor.WithLoggerFactory(func(s *actor.ActorSystem) *slog.Logger {
		core, err := zapcore.NewIncreaseLevelCore(log.Core(), zapcore.WarnLevel)
		if err != nil { // the logger is already above warn: keep its level
			core = log.Core()
		}
		return slog.New(zapslog.NewHandler(core, zapslog.WithName("protoactor"))).With("system", s.ID)
	}))
	shrinkRegistry(system)
	system.Extensions.Register(&startedSet{})
	return system
}
