package test

import (
	"context"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// `make bench` is one command: the load generator starts every server it
// compares (the bare ceiling, the durable floor, the daemon, its intake
// alone), loads each, and prints the figures the capacity notes quote. A
// small run here keeps that command working; its numbers are not judged
// (speed is measured by `make bench`, never asserted in a test).
func TestBenchCommandLoadsEveryTargetAndPrintsTheFigures(t *testing.T) {
	gen := filepath.Join(t.TempDir(), "loadgen")
	if out, err := exec.Command("go", "build", "-o", gen, "./loadgen").CombinedOutput(); err != nil {
		t.Fatalf("build loadgen: %v\n%s", err, out)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, gen, "-bin", binary, "-requests", "300", "-clients", "4", "-size", "512").CombinedOutput()
	if err != nil {
		t.Fatalf("loadgen: %v\n%s", err, out)
	}
	text := string(out)
	for _, target := range []string{"bare net/http", "durable floor", "daemon bland-callback", "intake alone"} {
		line := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(target) + ` +\d+ req/s .* failed (\d+)$`).FindStringSubmatch(text)
		if line == nil {
			t.Errorf("no figures for %q in:\n%s", target, text)
		} else if line[1] != "0" {
			t.Errorf("%s: %s requests failed, want none:\n%s", target, line[1], text)
		}
	}
	for _, want := range []string{"ratio daemon/bare: ", "server CPU per request: bare ", "load generator CPU per request: ",
		"machine busy: ", "daemon RSS after 300 webhooks: "} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
}
