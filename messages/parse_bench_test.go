package messages

import (
	"os"
	"strings"
	"testing"
)

// BenchmarkParseCompletion parses a provider completion padded to ~2 KB of
// transcript, the size the webhook benchmark posts.
func BenchmarkParseCompletion(b *testing.B) {
	raw, err := os.ReadFile("testdata/bland_completion_voicemail.json")
	if err != nil {
		b.Fatal(err)
	}
	body := strings.Replace(string(raw), `"call_id"`, `"concatenated_transcript": "`+strings.Repeat("user: hello there. ", 100)+`", "call_id"`, 1)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseCompletion([]byte(body)); err != nil {
			b.Fatal(err)
		}
	}
}
