package blocklist

import (
	"sort"
	"strings"

	"github.com/asynkron/protoactor-go/actor"
	"go.uber.org/zap"

	"orchestrator/messages"
)

func (b *Blocklist) list(m messages.ListBlocks) messages.BlockList {
	if b.failed {
		return messages.BlockList{Err: "blocklist unavailable"}
	}
	all := make([]messages.BlockFlag, 0, len(b.flags))
	for _, f := range b.flags {
		if m.Field == "" || f.Field == m.Field {
			all = append(all, f)
		}
	}
	sort.Slice(all, func(i, j int) bool {
		if !all[i].AddedAt.Equal(all[j].AddedAt) {
			return all[i].AddedAt.After(all[j].AddedAt)
		}
		return all[i].ID < all[j].ID
	})
	out := messages.BlockList{Total: len(all), Flags: []messages.BlockFlag{}}
	if m.Offset < len(all) {
		end := min(len(all), m.Offset+max(m.Limit, 1))
		out.Flags = all[m.Offset:end]
	}
	return out
}

// scanCall flags the phone of a call whose transcript or summary has a
// do-not-call phrase. A phrase on a phone already flagged commits the
// completion's sequence all the same: resent after a restart, it would
// otherwise flag again a phone an operator has since cleared.
func (b *Blocklist) scanCall(ctx actor.Context, c messages.CallCompleted) {
	defer b.armApplied(ctx)
	if b.failed {
		b.scanned(c, false) // not scanned against the flags: scan it again after a restart
		return
	}
	phrase := dncPhrase(b.d.Cfg.DNCPhrases, customerTurns(c.Transcript), c.Summary)
	if phrase == "" || c.Phone == "" {
		b.scanned(c, true)
		return
	}
	seq := b.seqFor(c)
	res := b.add(messages.AddBlock{Field: messages.BlockPhone, Value: string(c.Phone),
		Reason: "dnc_phrase: " + phrase, AddedBy: "call:" + c.CallID}, seq)
	if res.Err == "" && !res.Created && seq > 0 {
		if err := b.d.Bucket.Commit(seq); err != nil {
			res.Err = "applied sequence not stored: " + err.Error()
		}
	}
	if res.Err != "" {
		b.d.Log.Error("a DNC phrase was heard but the phone could not be blocklisted",
			zap.String("call_id", c.CallID), zap.String("err", res.Err))
	}
	b.scanned(c, res.Err == "")
	if res.Err == "" {
		b.applied.stored = max(b.applied.stored, seq)
	}
}

// dncPhrase returns the first configured phrase found in any text, ignoring
// case and the curly apostrophes speech-to-text sometimes writes.
func dncPhrase(phrases []string, texts ...string) string {
	for _, t := range texts {
		t = strings.ToLower(strings.ReplaceAll(t, "’", "'"))
		for _, p := range phrases {
			if p != "" && strings.Contains(t, strings.ToLower(p)) {
				return p
			}
		}
	}
	return ""
}

// customerTurns keeps what the customer said from a transcript written as
// "assistant: … user: …", so our own script ("we will stop calling…") never
// blocklists anyone; a transcript without speaker labels is kept whole.
func customerTurns(transcript string) string {
	lower := strings.ToLower(transcript)
	if !strings.Contains(lower, "user:") {
		return transcript
	}
	var out strings.Builder
	for _, turn := range strings.Split(lower, "user:")[1:] {
		if i := strings.Index(turn, "assistant:"); i >= 0 {
			turn = turn[:i]
		}
		out.WriteString(turn)
		out.WriteByte(' ')
	}
	return out.String()
}
