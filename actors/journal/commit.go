package journal

import (
	"errors"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"go.uber.org/zap"

	"orchestrator/messages"
	"orchestrator/supervision"
)

// batch is a group of records synced together.
type batch struct {
	chunks  []chunk // consecutive records per segment day
	recs    []Record
	waiters []waiter
	keys    []keyed // dedupe keys added for these records
	first   uint64
	last    uint64
	probe   string // a day: no records, only check the disk takes writes again

	// Set by the syncer.
	err  error
	took time.Duration
}

type keyed struct {
	key string
	seq uint64
}

type chunk struct {
	day string
	buf []byte
}

// waiter is a requester to answer when the batch holding seq is durable:
// through its reply channel when it gave one, else by message to its PID.
type waiter struct {
	to    *actor.PID
	reply chan<- messages.WebhookAppended
	seq   uint64
	dup   bool
}

// syncer is the goroutine that owns the segment writer: it writes and syncs
// one batch at a time and rings the actor's doorbell with each result.
func syncer(w *segmentWriter, work <-chan *batch, results chan<- *batch, stopped chan<- struct{}, ring func()) {
	defer close(stopped)
	defer func() { _ = w.close() }()
	for b := range work {
		began := time.Now()
		if b.probe != "" {
			b.err = w.probe(b.probe)
		}
		for _, ch := range b.chunks {
			if b.err = w.writeBatch(ch.buf, ch.day); b.err != nil {
				break
			}
		}
		b.took = time.Since(began)
		results <- b
		ring()
	}
}

// append encodes the webhook into the pending batch and, when no sync is
// running, starts one at once. A key already recorded is answered as a
// duplicate once the original is durable.
func (j *Journal) append(c actor.Context, m messages.AppendWebhook) {
	now := m.ReceivedAt
	if now.IsZero() {
		now = time.Now().UTC()
	}
	if m.DedupeKey != "" {
		if seq, ok := j.dedupe.seen(m.DedupeKey, now); ok {
			j.duplicate(waiter{to: c.Sender(), reply: m.Reply, seq: seq, dup: true})
			return
		}
	}
	if j.waiting() >= j.d.Cfg.MaxPending {
		j.d.Metrics.refused.Inc()
		j.answer(waiter{to: c.Sender(), reply: m.Reply}, errOverloaded)
		return
	}
	j.seq++
	rec := Record{
		Seq: j.seq, ReceivedAt: now, Source: m.Source, RequestID: m.RequestID, DedupeKey: m.DedupeKey,
		Result: m.Result, Error: m.Error, Phone: string(m.Phone), LeadID: m.LeadID, CallID: m.CallID,
		Headers: m.Headers, Body: m.Body,
	}
	if j.pending == nil {
		j.pending = &batch{first: j.seq}
	}
	b := j.pending
	day := dayOf(now, j.d.Location)
	if n := len(b.chunks); n == 0 || b.chunks[n-1].day != day {
		b.chunks = append(b.chunks, chunk{day: day, buf: j.takeBuf()})
	}
	last := &b.chunks[len(b.chunks)-1]
	last.buf = encode(last.buf, &rec)
	b.recs = append(b.recs, rec)
	b.last = j.seq
	b.waiters = append(b.waiters, waiter{to: c.Sender(), reply: m.Reply, seq: j.seq})
	if m.DedupeKey != "" {
		j.dedupe.add(m.DedupeKey, j.seq, now)
		b.keys = append(b.keys, keyed{m.DedupeKey, j.seq})
	}
	if j.inflight == nil {
		j.startSync()
	}
}

// duplicate answers a repeated webhook: at once when the original is durable,
// otherwise together with the original's batch, sharing its fate.
func (j *Journal) duplicate(w waiter) {
	seq := w.seq
	switch {
	case seq <= j.durable:
		j.answer(w, nil)
	case j.pending != nil && seq >= j.pending.first:
		j.pending.waiters = append(j.pending.waiters, w)
	case j.inflight != nil:
		j.inflight.waiters = append(j.inflight.waiters, w)
	default: // its batch failed and the key was forgotten; cannot happen, but never ack it
		j.answer(w, errNotDurable)
	}
}

func (j *Journal) waiting() int {
	n := 0
	if j.pending != nil {
		n += len(j.pending.waiters)
	}
	if j.inflight != nil {
		n += len(j.inflight.waiters)
	}
	return n
}

func (j *Journal) startSync() {
	j.inflight, j.pending = j.pending, nil
	j.work <- j.inflight // never blocks: the syncer is idle when inflight was nil
}

// collect takes the syncer's result, if the doorbell's batch is still there
// (close may have taken it already).
func (j *Journal) collect() {
	select {
	case b := <-j.results:
		j.complete(b)
	default:
	}
}

// complete answers every waiter of a synced batch and starts the next one.
func (j *Journal) complete(b *batch) {
	j.inflight = nil
	if b.err != nil {
		j.failed(b)
	} else {
		j.succeeded(b)
	}
	for _, ch := range b.chunks {
		j.putBuf(ch.buf)
	}
	if j.pending != nil {
		j.startSync()
	}
}

func (j *Journal) succeeded(b *batch) {
	if j.failing {
		j.failing = false
		j.timers.Cancel("probe")
		j.d.Readiness.Set(supervision.Journal, true, "")
		j.d.Log.Info("journal appends work again")
	}
	if b.probe != "" {
		return
	}
	j.durable = b.last
	j.d.Metrics.sync.Observe(b.took.Seconds())
	j.d.Metrics.batch.Observe(float64(len(b.recs)))
	j.d.Metrics.records.Add(float64(len(b.recs)))
	for i := range b.recs {
		j.count(&b.recs[i])
		j.recent.add(b.recs[i])
	}
	for _, w := range b.waiters {
		j.answer(w, nil)
	}
	j.advance()
}

// failed refuses every waiter (the gateway answers 429), forgets the batch's
// dedupe keys so a retry is stored, and marks the daemon not ready until a
// write works again.
func (j *Journal) failed(b *batch) {
	j.d.Metrics.failures.Inc()
	if !j.failing {
		j.failing = true
		j.d.Readiness.Set(supervision.Journal, false, "journal cannot append: "+b.err.Error())
		j.d.Log.Error("journal cannot append; webhooks get 429 until the disk takes writes again",
			zap.Error(b.err), zap.Int("records", len(b.recs)))
		if !j.closing { // timers are already cancelled while closing
			j.timers.Every("probe", j.d.Cfg.RetryAfter, probeTick{})
		}
	}
	for _, k := range b.keys {
		j.dedupe.forget(k.key, k.seq)
	}
	for _, w := range b.waiters {
		j.answer(w, b.err)
	}
}

// probe checks, while appends fail and none is syncing, whether the disk
// takes writes again, so readiness recovers even with no traffic.
func (j *Journal) probe() {
	if !j.failing || j.inflight != nil {
		return
	}
	if j.pending == nil {
		j.pending = &batch{probe: dayOf(time.Now(), j.d.Location)}
	}
	j.startSync()
}

func (j *Journal) answer(w waiter, err error) {
	msg := messages.WebhookAppended{Seq: w.seq, Duplicate: w.dup}
	if err != nil {
		msg = messages.WebhookAppended{Err: err.Error()}
	}
	if w.reply != nil {
		select {
		case w.reply <- msg:
		default: // the asker broke the contract (no room); never block the journal
		}
		return
	}
	if w.to != nil {
		j.send(w.to, msg)
	}
}

// count keeps today's per-result counts current.
func (j *Journal) count(r *Record) {
	day := dayOf(r.ReceivedAt, j.d.Location)
	if day != j.today {
		if day < j.today {
			return
		}
		j.today, j.counts = day, DayCounts{}
	}
	j.counts.add(r.Result)
}

// errNotDurable refuses a duplicate whose original is in no batch any more.
var errNotDurable = errors.New("journal: the original of this duplicate was not stored")

// errOverloaded refuses an append while journal.max_pending already wait.
var errOverloaded = errors.New("journal overloaded")

// Encode buffers are reused across batches: a batch's lines are written and
// dropped, and growing a fresh buffer for each batch was the journal's
// largest source of garbage (several times each body, per record).
const (
	maxSpareBufs = 4
	maxSpareCap  = 4 << 20 // a buffer grown by a burst is let go
)

func (j *Journal) takeBuf() []byte {
	if n := len(j.spare); n > 0 {
		buf := j.spare[n-1]
		j.spare = j.spare[:n-1]
		return buf[:0]
	}
	return nil
}

func (j *Journal) putBuf(buf []byte) {
	if cap(buf) > 0 && cap(buf) <= maxSpareCap && len(j.spare) < maxSpareBufs {
		j.spare = append(j.spare, buf)
	}
}
