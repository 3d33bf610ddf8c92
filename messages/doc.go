// Package messages holds the values that cross an actor boundary and the pure
// functions that turn a raw webhook body into them.
//
// Parsing lives here, beside the types, so the gateway (which validates before
// it journals) and the actors (which re-parse journal records during recovery)
// apply exactly the same rules. Everything in this package is pure: no IO, no
// clocks, no globals, and no input may make it panic.
package messages
