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
