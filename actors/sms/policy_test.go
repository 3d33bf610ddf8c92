package sms

import (
	"testing"
	"time"

	"orchestrator/config"
)

func loc(t testing.TB, name string) *time.Location {
	t.Helper()
	l, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func at(l *time.Location, y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, l)
}

func TestNextDue(t *testing.T) {
	ny, la, hi := loc(t, "America/New_York"), loc(t, "America/Los_Angeles"), loc(t, "Pacific/Honolulu")
	chi := loc(t, "America/Chicago")
	def := config.Default().SMS // gaps 0,1,3,7; mon..fri 8–21; 1 a day
	everyDay := def
	everyDay.Days = []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}
	early := everyDay
	early.StartHour = 2 // 02:00 does not exist on a spring-forward day
	two := def
	two.MaxPerDay = 2
	nyZone := ZoneOf("NY", ny)
	tests := []struct {
		name   string
		cfg    config.SMS
		state  string
		now    time.Time
		anchor time.Time
		pos    int
		sent   []time.Time
		want   time.Time
	}{
		{"first text at once inside the window", def, "NY", at(ny, 2026, 3, 2, 10, 0), at(ny, 2026, 3, 2, 10, 0), 0, nil,
			at(ny, 2026, 3, 2, 10, 0)},
		{"before start hour waits for it", def, "NY", at(ny, 2026, 3, 2, 7, 15), at(ny, 2026, 3, 2, 7, 15), 0, nil,
			at(ny, 2026, 3, 2, 8, 0)},
		{"after end hour: the next morning", def, "NY", at(ny, 2026, 3, 2, 21, 0), at(ny, 2026, 3, 2, 21, 0), 0, nil,
			at(ny, 2026, 3, 3, 8, 0)},
		{"gap 1 is the next calendar day's start", def, "NY", at(ny, 2026, 3, 2, 10, 1), at(ny, 2026, 3, 2, 10, 0), 1,
			[]time.Time{at(ny, 2026, 3, 2, 10, 0)}, at(ny, 2026, 3, 3, 8, 0)},
		{"friday's gap 1 skips the weekend", def, "NY", at(ny, 2026, 3, 6, 20, 31), at(ny, 2026, 3, 6, 20, 30), 1,
			[]time.Time{at(ny, 2026, 3, 6, 20, 30)}, at(ny, 2026, 3, 9, 8, 0)},
		{"a day with its text already sent is skipped", def, "NY", at(ny, 2026, 3, 9, 8, 1), at(ny, 2026, 3, 6, 20, 30), 2,
			[]time.Time{at(ny, 2026, 3, 6, 20, 30), at(ny, 2026, 3, 9, 8, 0)}, at(ny, 2026, 3, 10, 8, 0)},
		{"max_per_day 2 allows a second text that day", two, "NY", at(ny, 2026, 3, 9, 8, 1), at(ny, 2026, 3, 6, 20, 30), 2,
			[]time.Time{at(ny, 2026, 3, 6, 20, 30), at(ny, 2026, 3, 9, 8, 0)}, at(ny, 2026, 3, 9, 8, 1)},
		{"overdue after downtime goes at once", def, "NY", at(ny, 2026, 3, 12, 15, 0), at(ny, 2026, 3, 2, 10, 0), 1,
			[]time.Time{at(ny, 2026, 3, 2, 10, 0)}, at(ny, 2026, 3, 12, 15, 0)},
		{"overdue on a saturday waits for monday", def, "NY", at(ny, 2026, 3, 14, 12, 0), at(ny, 2026, 3, 2, 10, 0), 1,
			[]time.Time{at(ny, 2026, 3, 2, 10, 0)}, at(ny, 2026, 3, 16, 8, 0)},
		{"past the last template: never", def, "NY", at(ny, 2026, 3, 2, 10, 0), at(ny, 2026, 3, 2, 10, 0), 4, nil, time.Time{}},
		// DST: days are calendar days in the lead's zone, hours are local.
		{"spring forward: gap 3 over the short day, 08:00 EDT", def, "NY", at(ny, 2026, 3, 6, 20, 31),
			at(ny, 2026, 3, 6, 20, 30), 2, []time.Time{at(ny, 2026, 3, 6, 20, 30)}, time.Date(2026, 3, 9, 12, 0, 0, 0, time.UTC)},
		{"spring forward: the short sunday itself", everyDay, "NY", at(ny, 2026, 3, 7, 21, 5), at(ny, 2026, 3, 7, 20, 0), 1,
			[]time.Time{at(ny, 2026, 3, 7, 20, 0)}, time.Date(2026, 3, 8, 12, 0, 0, 0, time.UTC)},
		{"spring forward: a start hour in the gap opens at 03:00 EDT", early, "NY", at(ny, 2026, 3, 7, 21, 5),
			at(ny, 2026, 3, 7, 20, 0), 1, []time.Time{at(ny, 2026, 3, 7, 20, 0)}, time.Date(2026, 3, 8, 7, 0, 0, 0, time.UTC)},
		{"fall back: the long sunday opens at 08:00 EST", everyDay, "NY", at(ny, 2026, 10, 31, 21, 5), at(ny, 2026, 10, 31, 9, 0), 1,
			[]time.Time{at(ny, 2026, 10, 31, 9, 0)}, time.Date(2026, 11, 1, 13, 0, 0, 0, time.UTC)},
		{"fall back: 20:30 EST on the long day is still inside", everyDay, "NY", at(ny, 2026, 11, 1, 20, 30), at(ny, 2026, 11, 1, 20, 30), 0,
			nil, time.Date(2026, 11, 2, 1, 30, 0, 0, time.UTC)},
		// The lead's zone, not ours.
		{"CA lead at 06:00 Pacific is not yet due", def, "CA", at(la, 2026, 3, 2, 6, 0), at(la, 2026, 3, 2, 6, 0), 0, nil,
			at(la, 2026, 3, 2, 8, 0)},
		{"CA lead at 20:30 Eastern is inside Pacific hours", def, "California", at(ny, 2026, 3, 2, 20, 30),
			at(ny, 2026, 3, 2, 20, 30), 0, nil, at(ny, 2026, 3, 2, 20, 30)},
		{"NY lead at 21:30 Eastern waits for the morning", def, "ny", at(ny, 2026, 3, 2, 21, 30), at(ny, 2026, 3, 2, 21, 30), 0,
			nil, at(ny, 2026, 3, 3, 8, 0)},
		{"HI lead: 08:00 Honolulu is 13:00 Eastern", def, "HI", at(ny, 2026, 3, 2, 9, 0), at(ny, 2026, 3, 2, 9, 0), 0, nil,
			at(hi, 2026, 3, 2, 8, 0)},
		{"HI lead's days are Honolulu days", def, "Hawaii", at(hi, 2026, 3, 6, 20, 0), at(hi, 2026, 3, 6, 19, 0), 1,
			[]time.Time{at(hi, 2026, 3, 6, 19, 0)}, at(hi, 2026, 3, 9, 8, 0)},
		{"unknown state: business zone", def, "ZZ", at(ny, 2026, 3, 2, 7, 0), at(ny, 2026, 3, 2, 7, 0), 0, nil,
			at(ny, 2026, 3, 2, 8, 0)},
		{"no state: business zone", def, "", at(ny, 2026, 3, 2, 21, 0), at(ny, 2026, 3, 2, 21, 0), 0, nil,
			at(ny, 2026, 3, 3, 8, 0)},
		// A state across two zones: inside the hours in both.
		{"FL: 08:00 Eastern is 07:00 in the panhandle", def, "FL", at(ny, 2026, 3, 2, 8, 0), at(ny, 2026, 3, 2, 8, 0), 0, nil,
			at(chi, 2026, 3, 2, 8, 0)},
		{"FL: 20:30 Eastern is the last half hour", def, "FL", at(ny, 2026, 3, 2, 20, 30), at(ny, 2026, 3, 2, 20, 30), 0, nil,
			at(ny, 2026, 3, 2, 20, 30)},
		{"FL: 21:00 Eastern is closed though Central is open", def, "FL", at(ny, 2026, 3, 2, 21, 0), at(ny, 2026, 3, 2, 21, 0), 0,
			nil, at(chi, 2026, 3, 3, 8, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			z := ZoneOf(tt.state, nyZone.Primary)
			got := NextDue(tt.now, tt.anchor, tt.pos, tt.sent, z, tt.cfg)
			if !got.Equal(tt.want) {
				t.Errorf("NextDue = %v, want %v", got.In(z.Primary), tt.want.In(z.Primary))
			}
			if !got.IsZero() && !Allowed(got, z, tt.cfg) {
				t.Errorf("NextDue = %v is outside the window", got.In(z.Primary))
			}
		})
	}
}

func TestNextDueWindowsThatNeverOverlapFallBackToThePrimaryZone(t *testing.T) {
	ny := loc(t, "America/New_York")
	cfg := config.Default().SMS
	cfg.StartHour, cfg.EndHour = 8, 9 // 08–09 Eastern and 08–09 Central never meet
	z := ZoneOf("FL", ny)
	got := NextDue(at(ny, 2026, 3, 2, 6, 0), at(ny, 2026, 3, 2, 6, 0), 0, nil, z, cfg)
	if want := at(ny, 2026, 3, 2, 8, 0); !got.Equal(want) {
		t.Errorf("NextDue = %v, want %v", got.In(ny), want)
	}
}

func TestZoneTableCoversEveryState(t *testing.T) {
	codes := []string{"AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS", "KY",
		"LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH", "OK",
		"OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY", "DC", "PR", "VI", "GU", "MP", "AS"}
	if len(codes) != 50+1+5 {
		t.Fatalf("%d codes listed", len(codes))
	}
	names := map[string]string{"New York": "NY", "north carolina": "NC", "WEST VIRGINIA": "WV", "District of Columbia": "DC",
		"Washington": "WA", "Washington D.C.": "DC", "Puerto Rico": "PR", " texas ": "TX", "Hawaii": "HI"}
	for _, c := range codes {
		if len(zoneNames(c)) == 0 {
			t.Errorf("%s has no zone", c)
		}
		for _, n := range zoneNames(c) {
			if _, err := time.LoadLocation(n); err != nil {
				t.Errorf("%s: %v", c, err)
			}
		}
		if got := stateCode(c); got != c {
			t.Errorf("stateCode(%q) = %q", c, got)
		}
	}
	for n, want := range names {
		if got := stateCode(n); got != want {
			t.Errorf("stateCode(%q) = %q, want %q", n, got, want)
		}
	}
	business := loc(t, "America/New_York")
	for state, want := range map[string]string{"CA": "America/Los_Angeles", "tx": "America/Chicago", "Arizona": "America/Phoenix",
		"HI": "Pacific/Honolulu", "FL": "America/New_York", "": "America/New_York", "Ontario": "America/New_York"} {
		if got := ZoneOf(state, business).Primary.String(); got != want {
			t.Errorf("ZoneOf(%q) = %s, want %s", state, got, want)
		}
	}
}

func TestFill(t *testing.T) {
	tests := []struct {
		tmpl, first, last, want string
	}{
		{"Hi {{first_name}}, reply STOP to opt out.", "Jane", "Doe", "Hi Jane, reply STOP to opt out."},
		{"Hi {{ first_name }} {{last_name}}!", "Jane", "Doe", "Hi Jane Doe!"},
		{"Hi {{first_name}},", "", "", "Hi there,"},
		{"Hi {{first_name}},", "  Ann ", "", "Hi Ann,"},
		{"{{first_name}} {{first_name}}", "Bo", "", "Bo Bo"},
		{"No placeholders", "Jane", "Doe", "No placeholders"},
		{"Unknown {{middle_name}} kept", "Jane", "Doe", "Unknown {{middle_name}} kept"},
	}
	for _, tt := range tests {
		if got := Fill(tt.tmpl, tt.first, tt.last); got != tt.want {
			t.Errorf("Fill(%q, %q, %q) = %q, want %q", tt.tmpl, tt.first, tt.last, got, tt.want)
		}
	}
}
