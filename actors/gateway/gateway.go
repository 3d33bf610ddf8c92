package gateway

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"orchestrator/config"
	"orchestrator/messages"
	"orchestrator/supervision"
)

// Deps is what the gateway needs; main builds it.
type Deps struct {
	Log       *zap.Logger
	Cfg       config.Config
	Listener  net.Listener // opened by main before anything is spawned
	Readiness *supervision.Readiness
	Gatherer  prometheus.Gatherer
	Version   string
	StartedAt time.Time
	// OnServeError reports a listener failure; main treats it as fatal.
	OnServeError func(error)
	// StopTimeout bounds the graceful shutdown of in-flight requests.
	StopTimeout time.Duration
	Metrics     *Metrics
	System      *actor.ActorSystem
	Journal     *actor.PID
	Blocklist   *actor.PID
	Calls       *actor.PID
	Queue       *actor.PID
	CRM         *actor.PID
	AMTracker   *actor.PID
	Redial      *actor.PID
	Stats       *actor.PID
	SMS         *actor.PID
	Location    *time.Location // business time zone: "today" for the admin API
}

// Gateway is the HTTP server actor.
type Gateway struct {
	d         Deps
	cfg       atomic.Pointer[config.Config] // read by handlers; swapped on SIGHUP
	ln        net.Listener
	srv       *http.Server
	debug     *http.Server
	debugDone chan struct{}
	served    chan struct{}
}

// Producer makes a fresh Gateway for each incarnation.
func Producer(d Deps) actor.Producer {
	return func() actor.Actor {
		g := &Gateway{d: d}
		g.cfg.Store(&d.Cfg)
		return g
	}
}

// Receive dispatches the gateway's messages.
func (g *Gateway) Receive(c actor.Context) {
	switch m := c.Message().(type) {
	case *actor.Started:
		g.start()
	case *actor.Stopping, *actor.Restarting:
		g.shutdown()
	case messages.ConfigChanged:
		g.reconfigure(m.Config)
	}
}

func (g *Gateway) start() {
	ln := g.d.Listener
	if g.ln != nil || ln == nil {
		// After a restart the first listener was closed by Shutdown: listen
		// again on the address it had actually bound.
		var err error
		if ln, err = net.Listen("tcp", g.d.Listener.Addr().String()); err != nil {
			g.d.OnServeError(err)
			return
		}
	}
	g.ln = ln
	g.srv = &http.Server{
		Handler:           g.routes(),
		ReadHeaderTimeout: g.d.Cfg.HTTP.ReadHeaderTimeout,
		ReadTimeout:       g.d.Cfg.HTTP.ReadTimeout,
		WriteTimeout:      g.d.Cfg.HTTP.WriteTimeout,
		IdleTimeout:       g.d.Cfg.HTTP.IdleTimeout,
		MaxHeaderBytes:    int(g.d.Cfg.HTTP.MaxHeaderBytes),
		ErrorLog:          zap.NewStdLog(g.d.Log.Named("http")),
	}
	g.served = make(chan struct{})
	go g.serve(g.srv, ln, g.served)
	g.startDebug()
}

// serve runs until Shutdown; any other end is a listener failure.
func (g *Gateway) serve(srv *http.Server, ln net.Listener, done chan struct{}) {
	defer close(done)
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		g.d.Log.Error("http server failed", zap.Error(err))
		g.d.OnServeError(err)
	}
}

func (g *Gateway) shutdown() {
	if g.srv == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), g.d.StopTimeout)
	defer cancel()
	if err := g.srv.Shutdown(ctx); err != nil {
		g.d.Log.Warn("http shutdown cut in-flight requests short", zap.Error(err))
		_ = g.srv.Close()
	}
	<-g.served
	if g.debug != nil {
		_ = g.debug.Close()
		<-g.debugDone // the pprof goroutine ends with the gateway, not after it
		g.debug = nil
	}
	g.d.Log.Info("http server stopped", zap.String("addr", g.ln.Addr().String()))
	g.srv = nil
}

// reconfigure swaps in a reloaded config: secrets, body limit and request
// timeout apply to the next request; listener settings need a restart.
func (g *Gateway) reconfigure(cfg config.Config) {
	old := g.cfg.Load()
	if cfg.HTTP.Addr != old.HTTP.Addr || cfg.Debug.Addr != old.Debug.Addr {
		g.d.Log.Warn("http.addr and debug.addr take effect only after a restart")
	}
	g.cfg.Store(&cfg)
}
