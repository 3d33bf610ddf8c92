// Package httpx is the outbound HTTP machinery the provider clients (bland,
// convoso) share: a rate limit, bounded retries that can never duplicate a
// side effect, Retry-After, and one error type that tells callers whether a
// request may have had an effect.
//
// The retry rule: an attempt is repeated (up to Provider.MaxRetries times,
// exponential backoff with jitter, or Retry-After when the server sends one)
// only when it cannot have reached the provider's application — a dial error
// such as connection refused before any connection existed, or an HTTP 429 or
// 503 answer. A timeout or connection reset after a connection was obtained,
// and any other 5xx, are returned at once: the provider may have acted on
// them, and a blind retry could place a second call.
package httpx
