package wire

import (
	"fmt"
	"time"
)

// DayNum packs a YYYY-MM-DD business day as the number yyyymmdd (4 bytes,
// ordered like the dates); 0 when day is not one.
func DayNum(day string) int32 {
	if len(day) != 10 || day[4] != '-' || day[7] != '-' {
		return 0
	}
	var n int32
	for i := range 10 {
		if i == 4 || i == 7 {
			continue
		}
		c := day[i]
		if c < '0' || c > '9' {
			return 0
		}
		n = n*10 + int32(c-'0')
	}
	return n
}

// DayString is DayNum's day again, YYYY-MM-DD.
func DayString(n int32) string {
	return fmt.Sprintf("%04d-%02d-%02d", n/10000, n/100%100, n%100)
}

// DayIndex is a YYYY-MM-DD day as the days since 1970-01-01 (negative
// before it); ok is false when day is not a date of the calendar, so
// "2026-02-30" is refused rather than read as 2026-03-02.
func DayIndex(day string) (n int, ok bool) {
	v := DayNum(day)
	if v == 0 {
		return 0, false
	}
	y, m, d := int(v/10000), time.Month(v/100%100), int(v%100)
	t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	if t.Year() != y || t.Month() != m || t.Day() != d {
		return 0, false
	}
	return int(t.Unix() / secondsPerDay), true // midnight: the division is exact
}

// DayOfIndex is DayIndex's day again, YYYY-MM-DD.
func DayOfIndex(n int) string {
	return time.Unix(int64(n)*secondsPerDay, 0).UTC().Format(time.DateOnly)
}

const secondsPerDay = 24 * 60 * 60
