package test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// tinyFS mounts a small tmpfs, or skips where the machine does not allow it
// (mounting needs root). The journal's own tests inject write errors on every
// machine; this one shows the real binary on a really full disk.
func tinyFS(t *testing.T, size string) string {
	t.Helper()
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here (%v: %s); the injected-error tests in actors/journal cover this", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("umount", "-l", dir).Run() })
	return dir
}

func TestFullDiskAnswers429ThenRecovers(t *testing.T) {
	fs := tinyFS(t, "1m")
	filler := filepath.Join(fs, "filler")
	if err := os.WriteFile(filler, make([]byte, 1024*1024-96*1024), 0o600); err != nil {
		t.Fatal(err)
	}
	d := startDaemonIn(t, filepath.Join(fs, "data"), webhookConfig)
	acked := map[string]bool{}
	var full bool
	for i := 0; i < 500 && !full; i++ {
		id := fmt.Sprintf("full-%d", i)
		code, body := post(d.addr, "/webhooks/bland-callback", completion(id, 1500), nil)
		switch {
		case code/100 == 2:
			acked[id] = true
		case code == 429:
			full = true
			if code, _ := d.get("/readyz"); code != 503 {
				t.Errorf("/readyz on a full disk = %d, want 503", code)
			}
		default:
			t.Fatalf("webhook on a filling disk got %d %s; only 2xx or 429 are allowed", code, body)
		}
	}
	if !full {
		t.Fatal("the disk never filled up")
	}
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	// The next append works and readiness comes back with it.
	if code, body := post(d.addr, "/webhooks/bland-callback", completion("after", 1500), nil); code != 200 {
		t.Fatalf("after freeing space: %d %s", code, body)
	}
	acked["after"] = true
	if code, _ := d.get("/readyz"); code != 200 {
		t.Fatalf("/readyz after recovery = %d", code)
	}
	checkLog(t, d, "full", map[string]bool{})
	count := map[string]int{}
	for _, e := range d.allToday() {
		count[e.CallID]++
	}
	for id := range acked {
		if count[id] != 1 {
			t.Errorf("%s acknowledged but in the log %d times", id, count[id])
		}
	}
	t.Logf("%d webhooks acknowledged before the disk filled", len(acked)-1)
}
