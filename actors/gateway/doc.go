// Package gateway is the thin HTTP edge: an actor that owns the http.Server
// (started last, stopped first, so intake stops before anything behind it).
// Its handlers decode, authenticate, validate, hand a webhook to the journal
// and answer; they hold no business logic.
//
// Owns: the HTTP listener and server, the optional pprof listener.
// Accepts: messages.ConfigChanged (reloadable HTTP settings are logged; the
// listener address needs a restart).
// Timers: none. Stopping shuts the server down gracefully: in-flight requests
// finish within the per-service stop deadline.
package gateway
