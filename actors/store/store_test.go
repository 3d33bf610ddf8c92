package store

import (
	"path/filepath"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestCommitLoadAndAppliedSurviveAReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	b := s.Bucket("blocklist")
	if seq, err := b.Applied(); err != nil || seq != 0 {
		t.Fatalf("fresh Applied = %d, %v", seq, err)
	}
	if err := b.Commit(7, Change{"a", []byte("1")}, Change{"b", []byte("2")}); err != nil {
		t.Fatal(err)
	}
	if err := b.Commit(9, Change{Key: "a"}); err != nil { // delete
		t.Fatal(err)
	}
	if err := b.Commit(3); err != nil { // an older sequence never moves it back
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	b = s.Bucket("blocklist")
	if seq, _ := b.Applied(); seq != 9 {
		t.Fatalf("Applied after reopen = %d, want 9", seq)
	}
	var got []string
	if err := b.Load(func(k, v []byte) error { got = append(got, string(k)+"="+string(v)); return nil }); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, ",") != "b=2" {
		t.Fatalf("items = %v, want [b=2]", got)
	}
	if v, _ := b.Get("b"); string(v) != "2" {
		t.Fatalf("Get(b) = %q", v)
	}
	if v, _ := s.Bucket("other").Get("b"); v != nil {
		t.Fatalf("buckets are not separate: %q", v)
	}
}

func TestLoadPrefixReadsOnlyThatRange(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	b := s.Bucket("redial")
	if err := b.LoadPrefix("idx/", func(k, v []byte) error { t.Fatalf("empty bucket gave %s", k); return nil }); err != nil {
		t.Fatal(err)
	}
	if err := b.Commit(0, Change{"idx/2", []byte("b")}, Change{"idx/1", []byte("a")}, Change{"id", []byte("x")},
		Change{"rec/1", []byte("r")}); err != nil {
		t.Fatal(err)
	}
	var got []string
	if err := b.LoadPrefix("idx/", func(k, v []byte) error { got = append(got, string(k)+"="+string(v)); return nil }); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, ",") != "idx/1=a,idx/2=b" {
		t.Fatalf("LoadPrefix(idx/) = %v", got)
	}
	got = nil
	if err := b.LoadFrom("idx/", "idx/15", func(k, v []byte) error { got = append(got, string(k)); return nil }); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, ",") != "idx/2" {
		t.Fatalf("LoadFrom(idx/, idx/15) = %v", got)
	}
}

func TestASecondOpenSaysTheFileIsLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := Open(path); err == nil || !strings.Contains(err.Error(), "another orchestrator") {
		t.Fatalf("second Open = %v, want a clear lock error", err)
	}
}
