// Package businesshours answers "are we open?" and "when do we next open or
// close?" for the business calendar in config.Business (DOMAIN "Time").
//
// It is a pure function of the configuration and the instant the caller
// passes: no actors, no goroutines, no clock of its own, so an *Hours is built
// once in main and shared by every service that needs it:
//   - the calls gate (rule 1: outside business hours a DialRequest is queued,
//     unless CallbacksAnytime lets a call-back through);
//   - the off-hours queue, which arms its drain timer for NextOpening;
//   - the redial cadence, which dials only while IsOpen, reschedules a
//     "queued" refusal to NextOpening and a daily cap to NextDayOpening, and
//     keys its per-day counters by Day;
//   - the SMS drip, which schedules callback requests at the next opening.
//
// Each business day D (an allowed weekday that is not a blackout date) has
// one window [opening, closing). Open and Close are wall-clock times on D,
// and each resolves to the first instant at which the business-zone clock
// reads that time or later. On the day the clocks spring forward a time in
// the gap (02:30 in America/New_York) therefore resolves to the end of the gap
// (03:00 local); on the day they fall back a repeated time (01:30) resolves to
// its first occurrence, and the repeated hour after it stays inside the
// window. Close "24:00" is the first instant of D+1. Outside those two days
// this is exactly "Open <= clock < Close".
package businesshours
