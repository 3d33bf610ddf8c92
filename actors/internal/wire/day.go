package wire

import "fmt"

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
