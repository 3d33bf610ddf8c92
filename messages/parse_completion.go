package messages

import (
	"math"
	"strings"
)

// ParseCompletion parses the voice provider's call-completion webhook (SourceCompletion),
// normalising the duration to seconds and classifying the outcome once, here, so every
// consumer agrees. call_id and a normalisable "to" are required; "from" is checked when sent.
func ParseCompletion(body []byte) (CallCompleted, error) {
	obj, err := decodeObject(body)
	if err != nil {
		return CallCompleted{}, err
	}
	c, err := completionHead(obj)
	if err != nil {
		return CallCompleted{}, err
	}
	c.AnsweredBy = text(obj, "answered_by")
	c.Summary = text(obj, "summary")
	c.Transcript = firstText(obj, "concatenated_transcript", "transcript")
	c.ErrorMessage = text(obj, "error_message")
	c.Tags = pathwayTags(obj["pathway_tags"])
	c.DurationS = durationSeconds(obj)
	c.CompletedAt = timestamp(obj, "end_at", "completed_at")
	c.Inbound, _ = obj["inbound"].(bool)

	c.Outcome = ClassifyOutcome(CallFacts{
		AnsweredBy:        c.AnsweredBy,
		Status:            c.Status,
		ErrorMessage:      c.ErrorMessage,
		DurationS:         c.DurationS,
		Tags:              c.Tags,
		TransferMerged:    transferMerged(obj["warm_transfer_call"]),
		CallbackRequested: strings.EqualFold(c.Variables["callback_requested"], "true"),
	})
	c.Answered = IsAnswered(c.AnsweredBy, c.DurationS)
	c.Transferred = c.Outcome == OutcomeTransferred
	return c, nil
}

// headKeys are the fields ParseCompletionHead reads.
var headKeys = map[string]bool{"call_id": true, "to": true, "from": true, "status": true, "variables": true}

// ParseCompletionHead validates a completion exactly as ParseCompletion does
// (the same errors for the same bodies) but reads only its ids, phones,
// status and variables: what the gateway needs to accept and journal it.
// The rest (a transcript of kilobytes) is checked, not copied; the calls
// actor parses the whole body from the journal.
func ParseCompletionHead(body []byte) (CallCompleted, error) {
	obj, err := decodeObjectKeeping(body, func(k []byte) bool { return headKeys[string(k)] })
	if err != nil {
		return CallCompleted{}, err
	}
	return completionHead(obj)
}

func completionHead(obj map[string]any) (CallCompleted, error) {
	var v validator
	c := CallCompleted{
		CallID: v.requiredString(obj, "call_id"),
		Phone:  v.phone(obj, "to", true),
		From:   v.phone(obj, "from", false),
	}
	if err := v.err(); err != nil {
		return CallCompleted{}, err
	}
	c.Status = text(obj, "status")
	c.Variables = stringMap(obj["variables"])
	c.LeadID = c.Variables["lead_id"]
	c.ListID = c.Variables["list_id"]
	return c, nil
}

// durationSeconds prefers corrected_duration (seconds) and falls back to call_length
// (minutes, which the old system mistook for seconds); it is rounded to the millisecond
// so 0.55 min reads 33 s, not 33.000000000000004, and is never negative or infinite.
func durationSeconds(obj map[string]any) float64 {
	if s, ok := number(obj["corrected_duration"]); ok && s >= 0 {
		return roundMillis(s)
	}
	if m, ok := number(obj["call_length"]); ok && m >= 0 {
		if s := m * 60; !math.IsInf(s, 0) {
			return roundMillis(s)
		}
	}
	return 0
}

// roundMillis rounds seconds to the millisecond, keeping values too large to round as they are.
func roundMillis(s float64) float64 {
	r := math.Round(s*1000) / 1000
	if math.IsInf(r, 0) || math.IsNaN(r) {
		return s
	}
	return r
}

// pathwayTags collects tag names from the shapes the provider sends: strings,
// {name, color} objects and nulls inside an array (a lone string or object is accepted too).
func pathwayTags(v any) []string {
	var tags []string
	add := func(x any) {
		var name string
		switch t := x.(type) {
		case string:
			name = t
		case map[string]any:
			name, _ = t["name"].(string)
		}
		if name = strings.TrimSpace(name); name != "" {
			tags = append(tags, name)
		}
	}
	if list, ok := v.([]any); ok {
		for _, x := range list {
			add(x)
		}
	} else {
		add(v)
	}
	return tags
}

// transferMerged reports warm_transfer_call.state == "MERGED", the only proof that a
// transfer really connected the customer to an agent.
func transferMerged(v any) bool {
	wt, ok := v.(map[string]any)
	if !ok {
		return false
	}
	state, _ := wt["state"].(string)
	return strings.EqualFold(strings.TrimSpace(state), "MERGED")
}
