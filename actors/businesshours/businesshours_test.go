package businesshours_test

import (
	"strings"
	"testing"
	"time"

	"orchestrator/actors/businesshours"
	"orchestrator/config"
)

const (
	weekdays = "mon,tue,wed,thu,fri"
	everyDay = "mon,tue,wed,thu,fri,sat,sun"
)

// biz is a business calendar in America/New_York.
func biz(days, open, close string, blackout ...string) config.Business {
	var d []string
	if days != "" {
		d = strings.Split(days, ",")
	}
	return config.Business{Timezone: "America/New_York", Days: d, Open: open, Close: close, BlackoutDates: blackout}
}

func newHours(tb testing.TB, cfg config.Business) *businesshours.Hours {
	tb.Helper()
	h, err := businesshours.New(cfg)
	if err != nil {
		tb.Fatalf("New(%+v): %v", cfg, err)
	}
	return h
}

func newYork(tb testing.TB) *time.Location {
	tb.Helper()
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		tb.Fatal(err)
	}
	return loc
}

func utc(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, time.UTC)
}

func TestNew(t *testing.T) {
	tests := []struct {
		name    string
		cfg     config.Business
		wantErr string // substring; "" = no error
	}{
		{"default", config.Default().Business, ""},
		{"no days", biz("", "09:00", "17:00"), ""},
		{"close 24:00", biz(weekdays, "00:00", "24:00"), ""},
		{"empty timezone", config.Business{Days: []string{"mon"}, Open: "09:00", Close: "17:00"}, "timezone"},
		{"unknown timezone", config.Business{Timezone: "Mars/Olympus", Open: "09:00", Close: "17:00"}, "timezone"},
		{"unknown day", biz("mon,funday", "09:00", "17:00"), `"funday"`},
		{"bad open", biz(weekdays, "9:00", "17:00"), "open"},
		{"open 24:00", biz(weekdays, "24:00", "24:00"), "open"},
		{"bad close", biz(weekdays, "09:00", "17:60"), "close"},
		{"close before open", biz(weekdays, "17:00", "09:00"), "close: must be after open"},
		{"close equals open", biz(weekdays, "09:00", "09:00"), "close: must be after open"},
		{"bad blackout", biz(weekdays, "09:00", "17:00", "2026-02-30"), "blackout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := businesshours.New(tt.cfg)
			if tt.wantErr == "" {
				if err != nil || h == nil {
					t.Fatalf("New: got (%v, %v), want no error", h, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("New: got error %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestAccessors(t *testing.T) {
	cfg := biz(weekdays, "09:00", "17:00")
	cfg.CallbacksAnytime = true
	h := newHours(t, cfg)
	if got, want := h.Location().String(), "America/New_York"; got != want {
		t.Errorf("Location: got %q, want %q", got, want)
	}
	if got := h.CallbacksAnytime(); !got {
		t.Errorf("CallbacksAnytime: got false, want true")
	}
	if got := newHours(t, biz(weekdays, "09:00", "17:00")).CallbacksAnytime(); got {
		t.Errorf("CallbacksAnytime default: got true, want false")
	}
}

func TestIsOpen(t *testing.T) {
	ny := newYork(t)
	def := biz(weekdays, "09:00", "17:00")
	late := biz(weekdays, "18:00", "24:00")
	tests := []struct {
		name string
		cfg  config.Business
		t    time.Time
		want bool
	}{
		{"wednesday midday", def, time.Date(2026, 6, 10, 12, 0, 0, 0, ny), true},
		{"saturday", def, time.Date(2026, 6, 13, 12, 0, 0, 0, ny), false},
		{"sunday", def, time.Date(2026, 6, 14, 12, 0, 0, 0, ny), false},
		{"just before open", def, time.Date(2026, 6, 10, 8, 59, 59, 999999999, ny), false},
		{"at open is open", def, time.Date(2026, 6, 10, 9, 0, 0, 0, ny), true},
		{"at open, given in UTC", def, utc(2026, 6, 10, 13, 0), true},
		{"just before close", def, time.Date(2026, 6, 10, 16, 59, 59, 999999999, ny), true},
		{"at close is closed", def, time.Date(2026, 6, 10, 17, 0, 0, 0, ny), false},
		{"at close, given in UTC", def, utc(2026, 6, 10, 21, 0), false},
		{"close 24:00, last nanosecond", late, time.Date(2026, 6, 10, 23, 59, 59, 999999999, ny), true},
		{"close 24:00, midnight", late, time.Date(2026, 6, 11, 0, 0, 0, 0, ny), false},
		{"close 24:00, friday night", late, time.Date(2026, 6, 12, 23, 0, 0, 0, ny), true},
		{"close 24:00, saturday night", late, time.Date(2026, 6, 13, 23, 0, 0, 0, ny), false},
		{"blackout date", biz(weekdays, "09:00", "17:00", "2026-07-03"), time.Date(2026, 7, 3, 12, 0, 0, 0, ny), false},
		{"day before a blackout", biz(weekdays, "09:00", "17:00", "2026-07-03"), time.Date(2026, 7, 2, 12, 0, 0, 0, ny), true},
		{"blackout is a business-time date, not UTC", biz(weekdays, "18:00", "24:00", "2026-07-03"), utc(2026, 7, 3, 2, 0), true},
		{"saturday with sat in days", biz(weekdays+",sat", "09:00", "17:00"), time.Date(2026, 6, 13, 12, 0, 0, 0, ny), true},
		{"sunday with sat in days", biz(weekdays+",sat", "09:00", "17:00"), time.Date(2026, 6, 14, 12, 0, 0, 0, ny), false},
		{"no days", biz("", "09:00", "17:00"), time.Date(2026, 6, 10, 12, 0, 0, 0, ny), false},

		// 2026-03-08: 02:00 EST jumps to 03:00 EDT (07:00Z).
		{"spring forward, open 02:30: 01:59:59 EST", biz(everyDay, "02:30", "17:00"), time.Date(2026, 3, 8, 1, 59, 59, 0, ny), false},
		{"spring forward, open 02:30: 03:00 EDT", biz(everyDay, "02:30", "17:00"), utc(2026, 3, 8, 7, 0), true},
		{"spring forward, open 02:30: 16:59 EDT", biz(everyDay, "02:30", "17:00"), utc(2026, 3, 8, 20, 59), true},
		{"spring forward, open 02:30: 17:00 EDT", biz(everyDay, "02:30", "17:00"), utc(2026, 3, 8, 21, 0), false},
		{"spring forward, 09:00 EDT is 13:00Z", biz(everyDay, "09:00", "17:00"), utc(2026, 3, 8, 13, 0), true},
		{"spring forward, 12:59Z is 08:59 EDT", biz(everyDay, "09:00", "17:00"), utc(2026, 3, 8, 12, 59), false},
		{"spring forward, close 02:30: 01:59 EST", biz(everyDay, "01:00", "02:30"), utc(2026, 3, 8, 6, 59), true},
		{"spring forward, close 02:30: 03:00 EDT", biz(everyDay, "01:00", "02:30"), utc(2026, 3, 8, 7, 0), false},
		{"spring forward, window inside the gap is empty", biz(everyDay, "02:00", "02:30"), utc(2026, 3, 8, 7, 0), false},

		// 2026-11-01: 02:00 EDT (06:00Z) falls back to 01:00 EST; 01:30 is 05:30Z, then 06:30Z.
		{"fall back, open 01:30: 01:29:59 EDT", biz(everyDay, "01:30", "17:00"), time.Date(2026, 11, 1, 5, 29, 59, 0, time.UTC), false},
		{"fall back, open 01:30: first 01:30", biz(everyDay, "01:30", "17:00"), utc(2026, 11, 1, 5, 30), true},
		{"fall back, open 01:30: repeated 01:15 EST stays open", biz(everyDay, "01:30", "17:00"), utc(2026, 11, 1, 6, 15), true},
		{"fall back, open 01:30: 16:59 EST", biz(everyDay, "01:30", "17:00"), utc(2026, 11, 1, 21, 59), true},
		{"fall back, open 01:30: 17:00 EST", biz(everyDay, "01:30", "17:00"), utc(2026, 11, 1, 22, 0), false},
		{"fall back, 09:00 EST is 14:00Z", biz(everyDay, "09:00", "17:00"), utc(2026, 11, 1, 14, 0), true},
		{"fall back, 13:00Z is 08:00 EST", biz(everyDay, "09:00", "17:00"), utc(2026, 11, 1, 13, 0), false},
		{"fall back, close 01:30: 01:00 EDT", biz(everyDay, "01:00", "01:30"), utc(2026, 11, 1, 5, 0), true},
		{"fall back, close 01:30: first 01:30", biz(everyDay, "01:00", "01:30"), utc(2026, 11, 1, 5, 30), false},
		{"fall back, close 01:30: repeated 01:15 EST", biz(everyDay, "01:00", "01:30"), utc(2026, 11, 1, 6, 15), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHours(t, tt.cfg)
			if got := h.IsOpen(tt.t); got != tt.want {
				t.Errorf("IsOpen(%s): got %v, want %v", tt.t.In(h.Location()), got, tt.want)
			}
		})
	}
}

func TestNextOpening(t *testing.T) {
	ny := newYork(t)
	def := biz(weekdays, "09:00", "17:00")
	tests := []struct {
		name string
		cfg  config.Business
		t    time.Time
		want time.Time
	}{
		{"open: t itself", def, time.Date(2026, 6, 10, 12, 0, 0, 0, ny), time.Date(2026, 6, 10, 12, 0, 0, 0, ny)},
		{"at open: t itself", def, time.Date(2026, 6, 10, 9, 0, 0, 0, ny), time.Date(2026, 6, 10, 9, 0, 0, 0, ny)},
		{"before open: today", def, time.Date(2026, 6, 10, 7, 0, 0, 0, ny), time.Date(2026, 6, 10, 9, 0, 0, 0, ny)},
		{"at close: tomorrow", def, time.Date(2026, 6, 10, 17, 0, 0, 0, ny), time.Date(2026, 6, 11, 9, 0, 0, 0, ny)},
		{"friday evening: monday", def, time.Date(2026, 6, 12, 17, 30, 0, 0, ny), time.Date(2026, 6, 15, 9, 0, 0, 0, ny)},
		{"saturday: monday", def, time.Date(2026, 6, 13, 10, 0, 0, 0, ny), time.Date(2026, 6, 15, 9, 0, 0, 0, ny)},
		{"friday evening given in UTC (saturday there)", def, utc(2026, 6, 13, 3, 0), utc(2026, 6, 15, 13, 0)},
		{"blackout friday, from thursday evening: monday", biz(weekdays, "09:00", "17:00", "2026-07-03"), time.Date(2026, 7, 2, 18, 0, 0, 0, ny), time.Date(2026, 7, 6, 9, 0, 0, 0, ny)},
		{"blackout friday, from its morning: monday", biz(weekdays, "09:00", "17:00", "2026-07-03"), time.Date(2026, 7, 3, 8, 0, 0, 0, ny), time.Date(2026, 7, 6, 9, 0, 0, 0, ny)},
		{"sat in days: friday evening to saturday", biz(weekdays+",sat", "09:00", "17:00"), time.Date(2026, 6, 12, 17, 0, 0, 0, ny), time.Date(2026, 6, 13, 9, 0, 0, 0, ny)},
		{"sat in days: saturday evening to monday", biz(weekdays+",sat", "09:00", "17:00"), time.Date(2026, 6, 13, 17, 0, 0, 0, ny), time.Date(2026, 6, 15, 9, 0, 0, 0, ny)},
		{"close 24:00: at midnight, the same evening", biz(weekdays, "18:00", "24:00"), time.Date(2026, 6, 11, 0, 0, 0, 0, ny), time.Date(2026, 6, 11, 18, 0, 0, 0, ny)},
		{"year end: thursday evening to new year's day", def, time.Date(2026, 12, 31, 17, 0, 0, 0, ny), time.Date(2027, 1, 1, 9, 0, 0, 0, ny)},
		{"year end, new year's day blacked out: monday", biz(weekdays, "09:00", "17:00", "2027-01-01"), time.Date(2026, 12, 31, 17, 0, 0, 0, ny), utc(2027, 1, 4, 14, 0)},
		{"year end given in UTC", def, utc(2026, 12, 31, 23, 30), utc(2027, 1, 1, 14, 0)},

		{"spring forward, open 02:30 in the gap: 03:00 EDT", biz(everyDay, "02:30", "17:00"), time.Date(2026, 3, 8, 0, 0, 0, 0, ny), utc(2026, 3, 8, 7, 0)},
		{"spring forward, open 02:30, from 01:59 EST", biz(everyDay, "02:30", "17:00"), utc(2026, 3, 8, 6, 59), utc(2026, 3, 8, 7, 0)},
		{"spring forward, open 09:00 EDT", biz(everyDay, "09:00", "17:00"), time.Date(2026, 3, 7, 17, 0, 0, 0, ny), utc(2026, 3, 8, 13, 0)},
		{"spring forward over a weekend", def, time.Date(2026, 3, 6, 17, 0, 0, 0, ny), utc(2026, 3, 9, 13, 0)},
		{"spring forward, window inside the gap: next day", biz(everyDay, "02:00", "02:30"), time.Date(2026, 3, 8, 0, 0, 0, 0, ny), utc(2026, 3, 9, 6, 0)},
		{"fall back, open 01:30: first occurrence", biz(everyDay, "01:30", "17:00"), time.Date(2026, 11, 1, 0, 0, 0, 0, ny), utc(2026, 11, 1, 5, 30)},
		{"fall back, open 01:30, from the evening before", biz(everyDay, "01:30", "17:00"), time.Date(2026, 10, 31, 17, 0, 0, 0, ny), utc(2026, 11, 1, 5, 30)},
		{"fall back, open 09:00 EST", biz(everyDay, "09:00", "17:00"), time.Date(2026, 11, 1, 0, 0, 0, 0, ny), utc(2026, 11, 1, 14, 0)},
		{"fall back over a weekend", def, time.Date(2026, 10, 30, 17, 0, 0, 0, ny), utc(2026, 11, 2, 14, 0)},
		{"fall back, closed at first 01:30: not reopened by the repeat", biz(everyDay, "01:00", "01:30"), utc(2026, 11, 1, 6, 15), utc(2026, 11, 2, 6, 0)},
		{"no days: zero time", biz("", "09:00", "17:00"), time.Date(2026, 6, 10, 12, 0, 0, 0, ny), time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHours(t, tt.cfg)
			if got := h.NextOpening(tt.t); !got.Equal(tt.want) {
				t.Errorf("NextOpening(%s): got %s, want %s", tt.t.In(h.Location()), got, tt.want.In(h.Location()))
			}
		})
	}
}

func TestNextClosing(t *testing.T) {
	ny := newYork(t)
	def := biz(weekdays, "09:00", "17:00")
	tests := []struct {
		name string
		cfg  config.Business
		t    time.Time
		want time.Time
	}{
		{"open", def, time.Date(2026, 6, 10, 12, 0, 0, 0, ny), time.Date(2026, 6, 10, 17, 0, 0, 0, ny)},
		{"at open", def, time.Date(2026, 6, 10, 9, 0, 0, 0, ny), time.Date(2026, 6, 10, 17, 0, 0, 0, ny)},
		{"open, given in UTC", def, utc(2026, 6, 10, 20, 59), utc(2026, 6, 10, 21, 0)},
		{"at close: t itself", def, time.Date(2026, 6, 10, 17, 0, 0, 0, ny), time.Date(2026, 6, 10, 17, 0, 0, 0, ny)},
		{"saturday: t itself", def, time.Date(2026, 6, 13, 12, 0, 0, 0, ny), time.Date(2026, 6, 13, 12, 0, 0, 0, ny)},
		{"close 24:00: next midnight", biz(weekdays, "18:00", "24:00"), time.Date(2026, 6, 10, 20, 0, 0, 0, ny), utc(2026, 6, 11, 4, 0)},
		{"close 24:00 at year end", biz(everyDay, "18:00", "24:00"), time.Date(2026, 12, 31, 20, 0, 0, 0, ny), time.Date(2027, 1, 1, 0, 0, 0, 0, ny)},
		{"spring forward, open 02:30", biz(everyDay, "02:30", "17:00"), utc(2026, 3, 8, 7, 0), utc(2026, 3, 8, 21, 0)},
		{"spring forward, close 02:30 in the gap: 03:00 EDT", biz(everyDay, "01:00", "02:30"), utc(2026, 3, 8, 6, 30), utc(2026, 3, 8, 7, 0)},
		{"spring forward, 23-hour day", biz(everyDay, "00:00", "24:00"), utc(2026, 3, 8, 5, 0), utc(2026, 3, 9, 4, 0)},
		{"fall back, open 01:30", biz(everyDay, "01:30", "17:00"), utc(2026, 11, 1, 5, 30), utc(2026, 11, 1, 22, 0)},
		{"fall back, in the repeated hour", biz(everyDay, "01:30", "17:00"), utc(2026, 11, 1, 6, 15), utc(2026, 11, 1, 22, 0)},
		{"fall back, close 01:30: first occurrence", biz(everyDay, "01:00", "01:30"), utc(2026, 11, 1, 5, 0), utc(2026, 11, 1, 5, 30)},
		{"fall back, 25-hour day", biz(everyDay, "00:00", "24:00"), utc(2026, 11, 1, 4, 0), utc(2026, 11, 2, 5, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHours(t, tt.cfg)
			if got := h.NextClosing(tt.t); !got.Equal(tt.want) {
				t.Errorf("NextClosing(%s): got %s, want %s", tt.t.In(h.Location()), got, tt.want.In(h.Location()))
			}
		})
	}
}

func TestDay(t *testing.T) {
	ny := newYork(t)
	h := newHours(t, biz(weekdays, "09:00", "17:00"))
	tests := []struct {
		name string
		t    time.Time
		want string
	}{
		{"midday", time.Date(2026, 6, 10, 12, 0, 0, 0, ny), "2026-06-10"},
		{"UTC after midnight is still yesterday here", utc(2026, 6, 11, 3, 59), "2026-06-10"},
		{"local midnight", utc(2026, 6, 11, 4, 0), "2026-06-11"},
		{"last nanosecond of the year", time.Date(2026, 12, 31, 23, 59, 59, 999999999, ny), "2026-12-31"},
		{"new year in UTC, not here", utc(2027, 1, 1, 3, 0), "2026-12-31"},
		{"new year here", time.Date(2027, 1, 1, 0, 0, 0, 0, ny), "2027-01-01"},
		{"before spring forward", utc(2026, 3, 8, 4, 59), "2026-03-07"},
		{"repeated hour of fall back", utc(2026, 11, 1, 6, 15), "2026-11-01"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := h.Day(tt.t); got != tt.want {
				t.Errorf("Day(%s): got %q, want %q", tt.t, got, tt.want)
			}
		})
	}
}

func TestNextDayOpening(t *testing.T) {
	ny := newYork(t)
	def := biz(weekdays, "09:00", "17:00")
	tests := []struct {
		name string
		cfg  config.Business
		t    time.Time
		want time.Time
	}{
		{"friday afternoon: monday 09:00", def, time.Date(2026, 6, 12, 15, 0, 0, 0, ny), time.Date(2026, 6, 15, 9, 0, 0, 0, ny)},
		{"before today's opening: still tomorrow", def, time.Date(2026, 6, 10, 8, 0, 0, 0, ny), time.Date(2026, 6, 11, 9, 0, 0, 0, ny)},
		{"late evening: tomorrow", def, time.Date(2026, 6, 10, 23, 30, 0, 0, ny), time.Date(2026, 6, 11, 9, 0, 0, 0, ny)},
		{"friday evening given in UTC: monday", def, utc(2026, 6, 13, 2, 0), utc(2026, 6, 15, 13, 0)},
		{"blackout friday: monday", biz(weekdays, "09:00", "17:00", "2026-07-03"), time.Date(2026, 7, 2, 10, 0, 0, 0, ny), time.Date(2026, 7, 6, 9, 0, 0, 0, ny)},
		{"year end with new year's day blacked out", biz(weekdays, "09:00", "17:00", "2027-01-01"), time.Date(2026, 12, 31, 10, 0, 0, 0, ny), time.Date(2027, 1, 4, 9, 0, 0, 0, ny)},
		{"spring forward day", biz(everyDay, "09:00", "17:00"), time.Date(2026, 3, 7, 10, 0, 0, 0, ny), utc(2026, 3, 8, 13, 0)},
		{"fall back day, open 01:30: first occurrence", biz(everyDay, "01:30", "17:00"), time.Date(2026, 10, 31, 10, 0, 0, 0, ny), utc(2026, 11, 1, 5, 30)},
		{"no days: zero time", biz("", "09:00", "17:00"), time.Date(2026, 6, 10, 12, 0, 0, 0, ny), time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHours(t, tt.cfg)
			if got := h.NextDayOpening(tt.t); !got.Equal(tt.want) {
				t.Errorf("NextDayOpening(%s): got %s, want %s", tt.t.In(h.Location()), got, tt.want.In(h.Location()))
			}
		})
	}
}

// TestProperties walks two weeks around each 2026 DST change in 15-minute
// steps (every hour included) and checks that the answers agree.
func TestProperties(t *testing.T) {
	ny := newYork(t)
	schedules := map[string]config.Business{
		"default":                biz(weekdays, "09:00", "17:00"),
		"with saturday":          biz(weekdays+",sat", "09:00", "17:00"),
		"open 02:30 to 24:00":    biz(everyDay, "02:30", "24:00"),
		"open 01:30 to 17:00":    biz(everyDay, "01:30", "17:00"),
		"01:00 to 01:30":         biz(everyDay, "01:00", "01:30"),
		"02:00 to 02:30":         biz(everyDay, "02:00", "02:30"),
		"around the clock":       biz(everyDay, "00:00", "24:00"),
		"weekdays with blackout": biz(weekdays, "00:00", "24:00", "2026-03-09", "2026-11-02"),
	}
	ranges := []struct{ from, to time.Time }{
		{time.Date(2026, 3, 1, 0, 0, 0, 0, ny), time.Date(2026, 3, 15, 0, 0, 0, 0, ny)},
		{time.Date(2026, 10, 25, 0, 0, 0, 0, ny), time.Date(2026, 11, 8, 0, 0, 0, 0, ny)},
	}
	for name, cfg := range schedules {
		t.Run(name, func(t *testing.T) {
			h := newHours(t, cfg)
			for _, r := range ranges {
				for at := r.from; at.Before(r.to); at = at.Add(15 * time.Minute) {
					checkProperties(t, h, at)
				}
			}
		})
	}
}

func checkProperties(t *testing.T, h *businesshours.Hours, at time.Time) {
	t.Helper()
	open := h.NextOpening(at)
	switch {
	case open.Before(at):
		t.Fatalf("NextOpening(%s) = %s, before t", at, open)
	case !h.IsOpen(open):
		t.Fatalf("IsOpen(NextOpening(%s) = %s) = false", at, open)
	case !h.NextOpening(open).Equal(open):
		t.Fatalf("NextOpening not idempotent at %s: %s then %s", at, open, h.NextOpening(open))
	case h.IsOpen(at) != open.Equal(at):
		t.Fatalf("IsOpen(%s) = %v but NextOpening = %s", at, h.IsOpen(at), open)
	}
	closing := h.NextClosing(open)
	switch {
	case !closing.After(open):
		t.Fatalf("NextClosing(%s) = %s, not after it", open, closing)
	case !h.IsOpen(closing.Add(-time.Nanosecond)):
		t.Fatalf("closed just before NextClosing(%s) = %s", open, closing)
	case !h.IsOpen(at) && !h.NextClosing(at).Equal(at):
		t.Fatalf("NextClosing(%s) = %s while closed, want t", at, h.NextClosing(at))
	}
	next := h.NextDayOpening(at)
	if !h.IsOpen(next) || h.Day(next) <= h.Day(at) {
		t.Fatalf("NextDayOpening(%s) = %s: open %v, day %s", at, next, h.IsOpen(next), h.Day(next))
	}
}

func FuzzNextOpening(f *testing.F) {
	zones := []string{"America/New_York", "UTC", "Europe/London", "Australia/Lord_Howe", "Asia/Kolkata", "America/Sao_Paulo", "Pacific/Apia"}
	days := []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}
	// sec, zone, open minute, close = open+1+length (mod the rest of the day), day mask (bit 0 = sun), blackout (days after t; < 0 none)
	f.Add(utc(2026, 3, 8, 6, 0).Unix(), uint8(0), uint16(150), uint16(869), uint8(0x7f), int8(-1))    // NY spring forward, open 02:30
	f.Add(utc(2026, 11, 1, 4, 0).Unix(), uint8(0), uint16(90), uint16(929), uint8(0x7f), int8(-1))    // NY fall back, open 01:30
	f.Add(utc(2026, 11, 1, 5, 45).Unix(), uint8(0), uint16(60), uint16(29), uint8(0x7f), int8(-1))    // NY fall back, 01:00-01:30
	f.Add(utc(2026, 6, 12, 21, 30).Unix(), uint8(0), uint16(540), uint16(479), uint8(0x3e), int8(-1)) // friday evening, default hours
	f.Add(utc(2026, 7, 2, 22, 0).Unix(), uint8(0), uint16(540), uint16(479), uint8(0x3e), int8(1))    // blackout friday
	f.Add(utc(2026, 12, 31, 23, 0).Unix(), uint8(0), uint16(1080), uint16(359), uint8(0x3e), int8(1)) // year end, close 24:00
	f.Add(utc(2026, 6, 10, 12, 0).Unix(), uint8(0), uint16(540), uint16(479), uint8(0), int8(-1))     // no days
	f.Add(utc(2026, 10, 3, 15, 0).Unix(), uint8(3), uint16(120), uint16(19), uint8(0x7f), int8(-1))   // Lord Howe 30-minute spring forward
	f.Add(utc(2026, 4, 4, 14, 0).Unix(), uint8(3), uint16(90), uint16(19), uint8(0x7f), int8(-1))     // Lord Howe fall back
	f.Add(utc(2018, 11, 4, 2, 0).Unix(), uint8(5), uint16(0), uint16(59), uint8(0x7f), int8(-1))      // Sao Paulo: midnight skipped
	f.Add(utc(2011, 12, 29, 0, 0).Unix(), uint8(6), uint16(540), uint16(479), uint8(0x7f), int8(-1))  // Apia skipped 2011-12-30
	f.Add(utc(2026, 3, 29, 0, 30).Unix(), uint8(2), uint16(60), uint16(1379), uint8(0x41), int8(0))   // London spring forward, weekend
	f.Fuzz(func(t *testing.T, sec int64, zone uint8, open, length uint16, mask uint8, blackout int8) {
		const span = 130 * 365 * 24 * 3600 // keep t in 1970..2100
		sec %= span
		if sec < 0 {
			sec += span
		}
		at := time.Unix(sec, 0)
		openMin := int(open % (24 * 60))
		closeMin := openMin + 1 + int(length)%(24*60-openMin)
		cfg := config.Business{Timezone: zones[int(zone)%len(zones)], Open: hhmm(openMin), Close: hhmm(closeMin)}
		for i, d := range days {
			if mask&(1<<i) != 0 {
				cfg.Days = append(cfg.Days, d)
			}
		}
		if blackout >= 0 {
			loc, err := time.LoadLocation(cfg.Timezone)
			if err != nil {
				t.Fatal(err)
			}
			cfg.BlackoutDates = []string{at.In(loc).AddDate(0, 0, int(blackout%10)).Format(time.DateOnly)}
		}
		h := newHours(t, cfg)
		got := h.NextOpening(at)
		if len(cfg.Days) == 0 {
			if !got.IsZero() {
				t.Fatalf("%+v: NextOpening(%s) = %s with no days, want zero", cfg, at, got)
			}
			return
		}
		switch {
		case got.IsZero():
			t.Fatalf("%+v: NextOpening(%s) = zero", cfg, at)
		case got.Before(at):
			t.Fatalf("%+v: NextOpening(%s) = %s, before t", cfg, at, got)
		case !h.IsOpen(got):
			t.Fatalf("%+v: IsOpen(NextOpening(%s) = %s) = false", cfg, at, got)
		}
		if got.Sub(at) >= 72*time.Hour {
			return
		}
		for m := at; m.Before(got); m = m.Add(time.Minute) {
			if h.IsOpen(m) {
				t.Fatalf("%+v: NextOpening(%s) = %s but open at %s", cfg, at, got, m)
			}
		}
	})
}

func hhmm(mins int) string {
	if mins == 24*60 {
		return "24:00"
	}
	return time.Date(2000, 1, 1, 0, mins, 0, 0, time.UTC).Format("15:04")
}

func BenchmarkNextOpening(b *testing.B) {
	ny := newYork(b)
	h := newHours(b, biz(weekdays, "09:00", "17:00"))
	friday := time.Date(2026, 6, 12, 17, 30, 0, 0, ny)
	want := time.Date(2026, 6, 15, 9, 0, 0, 0, ny)
	for b.Loop() {
		if got := h.NextOpening(friday); !got.Equal(want) {
			b.Fatalf("got %s, want %s", got, want)
		}
	}
}
