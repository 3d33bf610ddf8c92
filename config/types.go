package config

import (
	"fmt"
	"strconv"
	"strings"
)

// ByteSize is a size in bytes, written "1MiB", "512KB" or a plain number.
type ByteSize int64

var sizeUnits = []struct {
	suffix string
	mult   int64
}{
	{"KIB", 1 << 10}, {"MIB", 1 << 20}, {"GIB", 1 << 30},
	{"KB", 1000}, {"MB", 1000 * 1000}, {"GB", 1000 * 1000 * 1000},
	{"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}, {"B", 1},
}

// UnmarshalText parses sizes such as "1MiB", "64KB" or "1048576".
func (b *ByteSize) UnmarshalText(text []byte) error {
	s := strings.ToUpper(strings.TrimSpace(string(text)))
	mult := int64(1)
	for _, u := range sizeUnits {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSpace(strings.TrimSuffix(s, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseFloat(s, 64)
	if err != nil || n < 0 {
		return fmt.Errorf("invalid size %q (want e.g. 1MiB, 512KB, 1048576)", string(text))
	}
	*b = ByteSize(n * float64(mult))
	return nil
}

// MarshalText renders the size in the largest exact binary unit.
func (b ByteSize) MarshalText() ([]byte, error) { return []byte(b.String()), nil }

// String renders the size in the largest exact binary unit.
func (b ByteSize) String() string {
	switch {
	case b != 0 && b%(1<<30) == 0:
		return fmt.Sprintf("%dGiB", b>>30)
	case b != 0 && b%(1<<20) == 0:
		return fmt.Sprintf("%dMiB", b>>20)
	case b != 0 && b%(1<<10) == 0:
		return fmt.Sprintf("%dKiB", b>>10)
	}
	return strconv.FormatInt(int64(b), 10)
}

// Secret is a string that never prints: logs and `config print` show it masked.
type Secret string

// Value returns the secret itself, for the one place that must compare it.
func (s Secret) Value() string { return string(s) }

// IsSet reports whether the secret was configured.
func (s Secret) IsSet() bool { return s != "" }

// String masks the secret.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return "******"
}

// MarshalText masks the secret wherever it is serialised.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }
