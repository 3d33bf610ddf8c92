package redial

import (
	"encoding/binary"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"go.uber.org/zap"

	"orchestrator/actors/store"
	"orchestrator/messages"
	"orchestrator/supervision"
)

// intake is how new leads reach the cadence: pulled from the journal in
// order from the position stored with the records (DESIGN §4, "One way
// in"), so a lead whose dial intent the calls actor committed just before a
// crash still gets its record after the restart.
type intake struct {
	durable uint64 // the journal's durable sequence, as last told
	pos     uint64 // the last lead record applied, or passed over
	stored  uint64 // pos as last committed
	asked   uint64 // durable when the pending pull was asked
	askedAt time.Time
	pulling bool
	more    bool
}

// leadPosKey holds the intake's position, apart from the bucket's applied
// sequence, which is the completions' (actors/internal/resend).
const leadPosKey = "meta/leads"

// leadBatch is how many lead records one pull asks for; each batch is
// committed in one transaction.
const leadBatch = 512

// pullTimeout gives up on a pull the journal never answered (it restarted).
const pullTimeout = 30 * time.Second

var leadSources = []string{messages.SourceLead}

// loadLeadPos reads the intake's stored position. A state file written
// before the cadence read the journal has none: it resumes from the
// completions applied, whose leads it was sent by the calls actor, so it
// neither re-reads the whole journal nor misses the latest leads (applying
// a lead again is harmless).
func (r *Redial) loadLeadPos(applied uint64) error {
	raw, err := r.d.Bucket.Get(leadPosKey)
	if err != nil {
		return err
	}
	r.leads = intake{pos: applied}
	if len(raw) == 8 {
		r.leads.pos = binary.BigEndian.Uint64(raw)
	}
	r.leads.stored = r.leads.pos
	return nil
}

func leadPosChange(pos uint64) store.Change {
	var buf [8]byte
	binary.BigEndian.PutUint64(buf[:], pos)
	return store.Change{Key: leadPosKey, Value: buf[:]}
}

func (r *Redial) advanced(c actor.Context, durable uint64) {
	r.leads.durable = max(r.leads.durable, durable)
	r.pull(c)
}

// pull asks for the lead records after pos unless a pull is out or nothing
// is new.
func (r *Redial) pull(c actor.Context) {
	in := &r.leads
	if r.d.Journal == nil || in.pulling || in.pos >= in.durable && !in.more {
		return
	}
	in.pulling, in.asked, in.askedAt = true, in.durable, r.now()
	c.Request(r.d.Journal, messages.ReplayJournal{After: in.pos, Limit: leadBatch, Sources: leadSources})
}

// leadsArrived applies a batch of leads. The records they changed are
// committed with the position reached, in one transaction (persist.go):
// after a crash either both are stored or neither, so a lead is applied
// once.
func (r *Redial) leadsArrived(c actor.Context, b messages.JournalBatch, now time.Time) {
	in := &r.leads
	in.pulling = false
	if b.Err != "" {
		r.d.Log.Error("cannot read leads from the journal; retrying", zap.String("err", b.Err))
		supervision.TimersOf(c).After("pull", time.Second, pullTick{})
		return
	}
	added := false
	for _, rec := range b.Records {
		in.pos = max(in.pos, rec.Seq)
		if rec.Result != messages.ResultProcessed || rec.Source != messages.SourceLead {
			continue
		}
		lead, err := messages.ParseLead([]byte(rec.Body))
		if err != nil {
			r.d.Log.Error("lead in the journal does not parse; skipped", zap.Uint64("seq", rec.Seq), zap.Error(err))
			continue
		}
		at := rec.ReceivedAt
		if at.IsZero() {
			at = now
		}
		added = r.leadReceived(lead, at) || added
	}
	in.more = b.More
	if !b.More {
		// No lead up to what was durable when we asked: start there next
		// time instead of re-reading other sources' records. Only the
		// position moved then: it is stored with the next commit (losing it
		// costs a re-read, nothing more).
		in.pos = max(in.pos, in.asked)
	}
	if added {
		r.evict()
	}
	r.arm(c, now)
	r.pull(c)
}

// checkIntake is the sweep's look at the intake: a pull never answered is
// asked again, and subscribing again (harmless) makes a journal that
// restarted and forgot us tell us where it is.
func (r *Redial) checkIntake(c actor.Context, now time.Time) {
	if r.d.Journal == nil {
		return
	}
	if in := &r.leads; in.pulling && now.Sub(in.askedAt) >= pullTimeout {
		r.d.Log.Warn("the journal never answered a pull of leads; asking again", zap.Uint64("after", in.pos))
		in.pulling = false
	}
	c.Send(r.d.Journal, messages.SubscribeJournal{Subscriber: c.Self()})
}
