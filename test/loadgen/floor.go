package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"syscall"
)

// serveFloor is the least a durable webhook server can do: read the body,
// append it to one file with group commit (concurrent requests share one
// write and one fdatasync, each answer waits for the sync that covers it),
// answer 200. No parsing, validation, dedupe, CRC, actors or services: the
// floor any durable intake pays on this machine, between the bare handler
// and the daemon's intake.
func serveFloor() error {
	dir, err := os.MkdirTemp("", "loadgen-floor-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	f, err := os.OpenFile(filepath.Join(dir, "log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	defer f.Close()
	gc := &groupCommit{f: f, wake: make(chan struct{}, 1)}
	go gc.run()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "addr=%s\n", ln.Addr())
	// Stopped by a signal, it still removes its file.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() { <-sig; _ = ln.Close() }()
	err = http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if err := gc.append(body); err != nil {
			http.Error(w, err.Error(), http.StatusTooManyRequests)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"success":true}`))
	}))
	if errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}

// groupCommit appends lines to f; one goroutine writes and syncs whatever
// accumulated while the previous sync ran.
type groupCommit struct {
	f    *os.File
	wake chan struct{}
	mu   sync.Mutex
	buf  []byte
	done chan struct{} // closed when buf's sync ends
	err  *error
}

func (g *groupCommit) append(line []byte) error {
	g.mu.Lock()
	if g.done == nil {
		g.done, g.err = make(chan struct{}), new(error)
	}
	g.buf = append(append(g.buf, line...), '\n')
	done, errp := g.done, g.err
	g.mu.Unlock()
	select {
	case g.wake <- struct{}{}:
	default:
	}
	<-done
	return *errp
}

func (g *groupCommit) run() {
	var spare []byte
	for range g.wake {
		g.mu.Lock()
		buf, done, errp := g.buf, g.done, g.err
		g.buf, g.done, g.err = spare[:0], nil, nil
		g.mu.Unlock()
		if done == nil {
			continue
		}
		_, err := g.f.Write(buf)
		if err == nil {
			err = syscall.Fdatasync(int(g.f.Fd()))
		}
		*errp = err
		close(done)
		spare = buf
	}
}
