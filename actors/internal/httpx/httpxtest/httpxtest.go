// Package httpxtest is a fake provider server on loopback for the provider
// clients' tests: it records what it receives and answers from a script.
package httpxtest

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// Reply is one scripted answer.
type Reply struct {
	Status int               // 0 = 200
	Header map[string]string // e.g. Retry-After
	Body   string
	// Hang blocks the handler until the test ends (or the client goes away),
	// so the client times out after its request was sent.
	Hang bool
	// Reset closes the connection without an answer after reading the request.
	Reset bool
}

// Received is one request as the server saw it.
type Received struct {
	Method string
	Path   string
	Query  string
	Header http.Header
	Body   []byte
}

// Server answers request n with script[n], the last entry repeating.
type Server struct {
	*httptest.Server
	mu      sync.Mutex
	script  []Reply
	got     []Received
	arrived chan struct{}
	release chan struct{}
}

// New starts a server closed at the end of the test; with no script every
// request gets 200 and an empty body.
func New(t testing.TB, script ...Reply) *Server {
	t.Helper()
	s := &Server{script: script, arrived: make(chan struct{}, 64), release: make(chan struct{})}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	// Cleanups run last-in first-out: release hanging handlers, then close.
	t.Cleanup(s.Close)
	t.Cleanup(func() { close(s.release) })
	return s
}

// Requests returns a copy of what was received, in order.
func (s *Server) Requests() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.got...)
}

// Count is how many requests were received.
func (s *Server) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.got)
}

// Arrived receives one value per request once it has been recorded.
func (s *Server) Arrived() <-chan struct{} { return s.arrived }

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	reply := Reply{}
	if n := len(s.got); len(s.script) > 0 {
		reply = s.script[min(n, len(s.script)-1)]
	}
	s.got = append(s.got, Received{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery,
		Header: r.Header.Clone(), Body: body})
	s.mu.Unlock()
	select {
	case s.arrived <- struct{}{}:
	default:
	}
	switch {
	case reply.Hang:
		select {
		case <-s.release:
		case <-r.Context().Done():
		}
		return
	case reply.Reset:
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			if tc, ok := conn.(*net.TCPConn); ok {
				_ = tc.SetLinger(0) // RST rather than FIN: a real reset
			}
			_ = conn.Close()
		}
		return
	}
	for k, v := range reply.Header {
		w.Header().Set(k, v)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(statusOr200(reply.Status))
	_, _ = io.WriteString(w, reply.Body)
}

func statusOr200(s int) int {
	if s == 0 {
		return http.StatusOK
	}
	return s
}

// ClosedURL is the base URL of a loopback port nothing listens on, so a dial
// is refused.
func ClosedURL(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	return "http://" + addr
}
