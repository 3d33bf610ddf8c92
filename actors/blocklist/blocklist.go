package blocklist

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"orchestrator/actors/internal/resend"
	"orchestrator/actors/store"
	"orchestrator/config"
	"orchestrator/messages"
	"orchestrator/supervision"
)

// Deps is what the blocklist needs; main builds it.
type Deps struct {
	Log       *zap.Logger
	Cfg       config.Blocklist
	Bucket    *store.Bucket
	Readiness *supervision.Readiness
	Flags     prometheus.Gauge // orchestrator_blocklist_flags
	// Calls is asked, once the flags are loaded, to resend the completions
	// published after the applied sequence (nil: not asked).
	Calls *actor.PID
}

// Blocklist is the do-not-call actor.
type Blocklist struct {
	d      Deps
	flags  map[string]messages.BlockFlag // by ID
	failed bool

	resend  resend.Asker
	resumed bool // the resend was asked for
	applied applied
}

type reloadTick struct{}

const (
	// reloadEvery is how often a blocklist that failed to load tries again.
	reloadEvery = 30 * time.Second
	// appliedEvery bounds how long a scanned completion's sequence stays unstored.
	appliedEvery = time.Second
)

// Producer makes a fresh Blocklist for each incarnation.
func Producer(d Deps) actor.Producer {
	return func() actor.Actor { return &Blocklist{d: d} }
}

// Receive dispatches the blocklist's messages.
func (b *Blocklist) Receive(c actor.Context) {
	switch m := c.Message().(type) {
	case *actor.Started:
		b.resend = resend.Asker{Calls: b.d.Calls, Log: b.d.Log}
		b.load(c)
	case reloadTick:
		b.load(c)
	case *actor.Stopping, *actor.Restarting:
		b.storeApplied()
	case *actor.Stopped:
	case messages.CheckBlocked:
		status := b.check(m)
		status.Ref = m.Ref
		c.Respond(status)
	case messages.AddBlock:
		c.Respond(b.add(m, 0))
	case messages.RemoveBlock:
		c.Respond(b.remove(m))
	case messages.ListBlocks:
		c.Respond(b.list(m))
	case messages.CallCompleted:
		b.scanCall(c, m)
	case appliedTick:
		b.storeApplied()
	case messages.CompletionsResent:
		b.resend.Resent(c, m)
	case resend.Retry:
		b.resend.Retried(c)
	case messages.ConfigChanged:
		b.d.Cfg = m.Config.Blocklist
	default:
		b.d.Log.Warn("unhandled message", zap.String("type", fmt.Sprintf("%T", m)))
	}
}

// load reads every flag; on failure the blocklist fails closed and retries.
func (b *Blocklist) load(c actor.Context) {
	flags := map[string]messages.BlockFlag{}
	err := b.d.Bucket.Load(func(k, v []byte) error {
		var f messages.BlockFlag
		if err := json.Unmarshal(v, &f); err != nil {
			return fmt.Errorf("flag %s: %w", k, err)
		}
		flags[f.ID] = f
		return nil
	})
	timers := supervision.TimersOf(c)
	if err != nil {
		if !b.failed {
			b.d.Log.Error("blocklist cannot load; no dialling or texting until it does", zap.Error(err))
			timers.Every("reload", reloadEvery, reloadTick{})
		}
		b.failed = true
		b.d.Readiness.Set(supervision.Blocklist, false, "blocklist cannot load: "+err.Error())
		return
	}
	if b.failed {
		timers.Cancel("reload")
		b.d.Log.Info("blocklist loaded after a failure")
	}
	b.flags, b.failed = flags, false
	b.d.Readiness.Set(supervision.Blocklist, true, "")
	b.d.Flags.Set(float64(len(flags)))
	b.d.Log.Info("blocklist loaded", zap.Int("flags", len(flags)))
	b.resume(c)
}

// flagID is derived from what the flag blocks, so adds are idempotent.
func flagID(field, value string) string {
	sum := sha256.Sum256([]byte(field + ":" + value))
	return "bl_" + hex.EncodeToString(sum[:6])
}

func (b *Blocklist) check(m messages.CheckBlocked) messages.BlockStatus {
	if b.failed {
		return messages.BlockStatus{Blocked: true, Unavailable: true}
	}
	if m.Phone != "" {
		if f, ok := b.flags[flagID(messages.BlockPhone, string(m.Phone))]; ok {
			return messages.BlockStatus{Blocked: true, Flag: &f}
		}
	}
	if m.LeadID != "" {
		if f, ok := b.flags[flagID(messages.BlockLeadID, m.LeadID)]; ok {
			return messages.BlockStatus{Blocked: true, Flag: &f}
		}
	}
	return messages.BlockStatus{}
}

// add validates, normalises and stores a flag before acknowledging it.
func (b *Blocklist) add(m messages.AddBlock, seq uint64) messages.BlockAdded {
	if b.failed {
		return messages.BlockAdded{Err: "blocklist unavailable"}
	}
	value := m.Value
	switch m.Field {
	case messages.BlockPhone:
		p, err := messages.NormalizePhone(m.Value)
		if err != nil {
			return messages.BlockAdded{Err: fmt.Sprintf("value %q is not a phone number", m.Value)}
		}
		value = string(p)
	case messages.BlockLeadID:
		if value == "" {
			return messages.BlockAdded{Err: "value: required"}
		}
	default:
		return messages.BlockAdded{Err: fmt.Sprintf("field must be %q or %q, got %q", messages.BlockPhone, messages.BlockLeadID, m.Field)}
	}
	id := flagID(m.Field, value)
	if f, ok := b.flags[id]; ok {
		return messages.BlockAdded{Flag: f}
	}
	f := messages.BlockFlag{ID: id, Field: m.Field, Value: value, Reason: m.Reason, AddedAt: time.Now().UTC(), AddedBy: m.AddedBy}
	raw, _ := json.Marshal(f)
	if err := b.d.Bucket.Commit(seq, store.Change{Key: id, Value: raw}); err != nil {
		b.d.Log.Error("blocklist add not stored", zap.String("field", f.Field), zap.Error(err))
		return messages.BlockAdded{Err: "not stored: " + err.Error()}
	}
	b.flags[id] = f
	b.d.Flags.Set(float64(len(b.flags)))
	b.d.Log.Info("blocklisted", zap.String("id", id), zap.String("field", f.Field), zap.String("value", masked(f)),
		zap.String("reason", f.Reason), zap.String("added_by", f.AddedBy))
	return messages.BlockAdded{Flag: f, Created: true}
}

func (b *Blocklist) remove(m messages.RemoveBlock) messages.BlockRemoved {
	f, ok := b.flags[m.ID]
	if !ok {
		return messages.BlockRemoved{}
	}
	if err := b.d.Bucket.Commit(0, store.Change{Key: m.ID}); err != nil {
		return messages.BlockRemoved{Err: "not stored: " + err.Error()}
	}
	delete(b.flags, m.ID)
	b.d.Flags.Set(float64(len(b.flags)))
	b.d.Log.Info("blocklist flag removed", zap.String("id", m.ID), zap.String("field", f.Field), zap.String("value", masked(f)))
	return messages.BlockRemoved{Found: true}
}

// masked keeps phone numbers out of the log (last four digits only).
func masked(f messages.BlockFlag) string {
	if f.Field == messages.BlockPhone {
		return messages.Phone(f.Value).Masked()
	}
	return f.Value
}
