// Package convoso is the CRM client (DESIGN §8, DOMAIN "crm"): it updates a
// lead's status, notes and fields (POST /v1/leads/update) and looks leads up
// by phone (POST /v1/leads/search).
//
// Parameters, the auth token included, travel form-encoded in the request
// body, never in the query string, so they stay out of access logs.
//
// It is plain Go, not an actor: the crm actor calls it from a goroutine it
// owns, with a context cancelled on Stopping/Restarting; every method returns
// promptly once that context is done. Mode dry-run (the default) logs and
// answers without touching the network. Mode live applies the rate limit and
// the conservative retry rule of package actors/internal/httpx (dial errors,
// 429 and 503 only); the crm outbox does the long-term retrying. A 200 with
// "success": false is an *Error wrapping ErrRejected, never retried here.
package convoso
