package messages

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// e164 is the shape every successfully parsed phone must have.
var e164 = regexp.MustCompile(`^\+[0-9]{8,15}$`)

// fixture reads a payload from this package's testdata (never from outside this repository).
func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatalf("read fixture: %v", err)
	}
	return b
}

// errKind names the class of a parser error the way the gateway maps it to an answer.
func errKind(err error) string {
	var bad *BadJSONError
	var inv *ValidationError
	switch {
	case err == nil:
		return ""
	case errors.Is(err, ErrNotObject), errors.As(err, &bad):
		return "bad_json"
	case errors.As(err, &inv):
		return "invalid_fields"
	}
	return "unexpected: " + err.Error()
}

// badBodies are bodies no parser may accept, with the answer class the gateway gives.
var badBodies = []struct {
	name, body, kind string
}{
	{"empty", ``, "bad_json"},
	{"whitespace", " \n\t", "bad_json"},
	{"array", `[]`, "bad_json"},
	{"string", `"x"`, "bad_json"},
	{"null", `null`, "bad_json"},
	{"number", `42`, "bad_json"},
	{"bool", `true`, "bad_json"},
	{"open brace", `{`, "bad_json"},
	{"truncated", `{"phone_number": "555`, "bad_json"},
	{"two objects", `{}{}`, "bad_json"},
	{"trailing garbage", `{} x`, "bad_json"},
	{"trailing brace", `{}}`, "bad_json"},
	{"single quotes", `{'a': 1}`, "bad_json"},
	{"empty object", `{}`, "invalid_fields"},
}
