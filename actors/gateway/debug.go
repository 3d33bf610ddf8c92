package gateway

import (
	"errors"
	"net"
	"net/http"
	"net/http/pprof"

	"go.uber.org/zap"
)

// startDebug serves pprof on its own loopback listener (debug.addr; validated
// to be loopback), never on the public mux.
func (g *Gateway) startDebug() {
	addr := g.d.Cfg.Debug.Addr
	if addr == "" {
		return
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		g.d.Log.Error("pprof listener failed; continuing without it", zap.String("addr", addr), zap.Error(err))
		return
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	g.debug = &http.Server{Handler: mux, ReadHeaderTimeout: g.d.Cfg.HTTP.ReadHeaderTimeout}
	g.d.Log.Info("pprof listening", zap.String("addr", ln.Addr().String()))
	g.debugDone = make(chan struct{})
	go func(srv *http.Server, done chan struct{}) {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			g.d.Log.Warn("pprof server ended", zap.Error(err))
		}
	}(g.debug, g.debugDone)
}
