package messages

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// CompletionDedupeKey identifies a provider event: the provider re-posts the same call and
// status when it retries, while a genuinely new status for the call gets a new key.
func CompletionDedupeKey(c CallCompleted) string {
	return SourceCompletion + ":" + c.CallID + ":" + strings.ToLower(c.Status)
}

// SMSDedupeKey uses the provider's message id when it sent one and otherwise the body's
// hash, so a retried delivery is recognised either way.
func SMSDedupeKey(r SMSReplyReceived, body []byte) string {
	if r.MessageID != "" {
		return SourceSMSReply + ":" + r.MessageID
	}
	return BodyDedupeKey(SourceSMSReply, body)
}

// BodyDedupeKey is the key for CRM webhooks (lead, call-back), which carry no event id: the
// CRM re-pushing the same body is the repeat we want to recognise.
func BodyDedupeKey(source string, body []byte) string {
	sum := sha256.Sum256(body)
	return source + ":sha256:" + hex.EncodeToString(sum[:])
}
