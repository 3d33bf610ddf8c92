package supervision

import (
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/ctxext"
)

// Timers are an actor's keyed timers. Each timer is one goroutine that exits
// when cancelled, and Cancel waits for it, so after CancelAll returns no tick
// can be sent. The middleware installed by Props creates a fresh Timers for
// every incarnation and cancels it on Stopping and Restarting; a tick already
// queued from a cancelled timer is dropped before the actor sees it.
//
// All methods but Active must be called from the owning actor's Receive.
type Timers struct {
	self    *actor.PID
	send    func(*actor.PID, interface{})
	entries map[string]*timerEntry
	active  atomic.Int64
}

type timerEntry struct {
	key       string
	once      bool
	stop      chan struct{}
	done      chan struct{}
	cancelled atomic.Bool
}

// tick wraps a timer message on its way through the mailbox; the middleware
// unwraps it, or drops it when its timer was cancelled meanwhile.
type tick struct {
	owner *Timers
	entry *timerEntry
	msg   interface{}
}

// IgnoreDeadLetterLogging keeps ticks to a stopped actor out of the log; the
// dead-letter event is still published, so tests and metrics see it.
func (tick) IgnoreDeadLetterLogging() {}

func newTimers(self *actor.PID, send func(*actor.PID, interface{})) *Timers {
	return &Timers{self: self, send: send, entries: map[string]*timerEntry{}}
}

// Every sends msg to the actor every d, replacing any timer with the same key.
func (t *Timers) Every(key string, d time.Duration, msg interface{}) {
	e := t.arm(key, false)
	go func() {
		defer t.exit(e)
		tk := time.NewTicker(d)
		defer tk.Stop()
		for {
			select {
			case <-tk.C:
				t.send(t.self, tick{owner: t, entry: e, msg: msg})
			case <-e.stop:
				return
			}
		}
	}()
}

// After sends msg to the actor once after d, replacing any timer with the same key.
func (t *Timers) After(key string, d time.Duration, msg interface{}) {
	e := t.arm(key, true)
	go func() {
		defer t.exit(e)
		tm := time.NewTimer(d)
		defer tm.Stop()
		select {
		case <-tm.C:
			t.send(t.self, tick{owner: t, entry: e, msg: msg})
		case <-e.stop:
		}
	}()
}

// Cancel stops the timer with this key and waits for its goroutine; a tick it
// already queued is dropped. Cancelling an unknown key does nothing.
func (t *Timers) Cancel(key string) {
	if e, ok := t.entries[key]; ok {
		t.cancel(e)
		delete(t.entries, key)
	}
}

// CancelAll cancels every timer and waits for all their goroutines.
func (t *Timers) CancelAll() {
	for k, e := range t.entries {
		t.cancel(e)
		delete(t.entries, k)
	}
}

// Has reports whether a timer with this key is armed and not yet delivered.
func (t *Timers) Has(key string) bool {
	_, ok := t.entries[key]
	return ok
}

// Active is the number of timer goroutines running; safe from any goroutine.
func (t *Timers) Active() int { return int(t.active.Load()) }

// ExtensionID lets Timers live in the actor context's extensions, where the
// middleware and TimersOf find them.
func (t *Timers) ExtensionID() ctxext.ContextExtensionID { return timersExtension }

func (t *Timers) arm(key string, once bool) *timerEntry {
	t.Cancel(key)
	e := &timerEntry{key: key, once: once, stop: make(chan struct{}), done: make(chan struct{})}
	t.entries[key] = e
	t.active.Add(1)
	return e
}

func (t *Timers) exit(e *timerEntry) {
	t.active.Add(-1)
	close(e.done)
}

func (t *Timers) cancel(e *timerEntry) {
	e.cancelled.Store(true)
	close(e.stop)
	<-e.done
}

// delivered forgets a one-shot timer once its tick reached the actor, so
// per-item keys (a timeout per call) do not accumulate.
func (t *Timers) delivered(e *timerEntry) {
	if e.once && t.entries[e.key] == e {
		delete(t.entries, e.key)
	}
}

// timersExtension is the context-extension slot of Timers. protoactor hands
// out these ids from a process-wide counter; this is its one immutable use.
var timersExtension = ctxext.NextContextExtensionID()

// TimersOf returns the Timers of the actor's current incarnation. The actor
// must have been spawned with Props (or by the root), which installs them
// before Started reaches the actor.
func TimersOf(c actor.Context) *Timers {
	t, ok := c.Get(timersExtension).(*Timers)
	if !ok || t == nil {
		panic("supervision: TimersOf on an actor not spawned with supervision.Props")
	}
	return t
}
