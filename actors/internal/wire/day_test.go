package wire

import "testing"

func TestDayNumRoundTripsAndRefusesWhatIsNotADay(t *testing.T) {
	for _, d := range []string{"2026-01-01", "2026-11-29", "1999-12-31"} {
		if got := DayString(DayNum(d)); got != d {
			t.Errorf("%s → %d → %s", d, DayNum(d), got)
		}
	}
	if DayNum("2026-03-01") <= DayNum("2026-02-28") {
		t.Error("day numbers are not ordered like the dates")
	}
	for _, bad := range []string{"", "2026-1-01", "20261101xx", "abcd-ef-gh", "2026/11/29"} {
		if DayNum(bad) != 0 {
			t.Errorf("DayNum(%q) = %d, want 0", bad, DayNum(bad))
		}
	}
}

func TestDayIndexCountsFromTheEpochAndRefusesWhatIsNotADate(t *testing.T) {
	for _, tc := range []struct {
		day  string
		want int
	}{
		{"1970-01-01", 0},
		{"1970-01-02", 1},
		{"1969-12-31", -1},
		{"2000-03-01", 11017},
		{"2024-02-29", 19782},
		{"2026-11-02", 20759},
		{"0000-01-01", -719528},
		{"9999-12-31", 2932896},
	} {
		got, ok := DayIndex(tc.day)
		if !ok || got != tc.want {
			t.Errorf("DayIndex(%s) = %d, %v; want %d, true", tc.day, got, ok, tc.want)
		}
		if back := DayOfIndex(got); back != tc.day {
			t.Errorf("DayOfIndex(%d) = %s, want %s", got, back, tc.day)
		}
	}
	for _, bad := range []string{"", "2026-1-01", "abcd-ef-gh", "2026/11/29", "0000-00-00",
		"2026-02-29", "2026-02-30", "2026-04-31", "2026-13-01", "2026-00-10", "2026-11-00"} {
		if n, ok := DayIndex(bad); ok {
			t.Errorf("DayIndex(%q) = %d, true; want false", bad, n)
		}
	}
}
