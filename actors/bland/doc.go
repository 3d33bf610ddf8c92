// Package bland is the client of the voice and SMS provider (DESIGN §8): it
// places outbound calls (POST /v1/calls), sends texts (POST /v1/sms/send) and
// reads back the texts exchanged with a phone (GET /v1/sms/conversations and
// /v1/sms/conversations/{id}), so a text whose answer was lost can be found.
//
// It is plain Go, not an actor: the calls and sms actors call it from a
// goroutine they own, with a context cancelled on Stopping/Restarting, and
// turn the result into a message. Every method returns promptly once its
// context is done.
//
// In mode dry-run (the default) nothing leaves the process: the request is
// logged (phone masked, never the API key) and answered with a made-up id;
// there is no history to read back (SMSHistory.DryRun).
// In mode live requests are rate limited and retried only when the provider
// cannot have acted on them (dial errors, 429, 503); see package
// actors/internal/httpx for the exact rule. A timeout, a reset connection or
// any other 5xx is returned at once as an *Error with Retryable false: the
// call may exist, and the caller records it as of unknown outcome rather than
// dialling twice.
package bland
