// Package test holds black-box tests of the real binary: built once, started
// on 127.0.0.1:0 with a temp data dir, driven over HTTP and with signals.
package test

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// binary is the orchestrator built once for every test in this package.
var binary string

func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() {
		fmt.Println("test/: skipped in -short mode")
		os.Exit(0)
	}
	dir, err := os.MkdirTemp("", "orchestrator-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "orchestrator")
	build := exec.Command("go", "build", "-race", "-ldflags", "-X main.version=test", "-o", binary, "../cmd/orchestrator")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build:", err)
		os.Exit(1)
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}
