package config

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestDefaultIsValid(t *testing.T) {
	if err := Default().Validate(); err != nil {
		t.Fatalf("Default().Validate() = %v, want nil", err)
	}
}

func TestLoadPrecedence(t *testing.T) {
	cfg, err := Load(Sources{
		File: "testdata/config.good.yml",
		Environ: []string{"ORCH_HTTP__MAX_BODY=3MiB", "ORCH_LOG__LEVEL=warn", "OTHER_X=1", "ORCH_SUPERVISION__MAX_RESTARTS=7",
			"ORCH_REDIAL__INTERVALS=0s, 1m,5m", "ORCH_REDIAL__DAILY_SCHEDULE=3,2,1"},
		Overrides: map[string]string{"log.level": "error"},
	})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"file sets addr", cfg.HTTP.Addr, "127.0.0.1:0"},
		{"env beats file", cfg.HTTP.MaxBody, ByteSize(3 << 20)},
		{"flag beats env", cfg.Log.Level, "error"},
		{"file format kept", cfg.Log.Format, "console"},
		{"env int", cfg.Supervision.MaxRestarts, 7},
		{"file duration", cfg.Shutdown.Timeout, 10 * time.Second},
		{"unset keeps default", cfg.Supervision.BackoffMax, 15 * time.Second},
		{"embedded provider keys", cfg.Bland.Mode, "dry-run"},
		{"duration list from env", fmt.Sprint(cfg.Redial.Intervals), "[0s 1m0s 5m0s]"},
		{"int list from env", fmt.Sprint(cfg.Redial.DailySchedule), "[3 2 1]"},
		{"secret from file", cfg.Admin.APIKey.Value(), "file-secret"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestLoadNamesEveryBadKey(t *testing.T) {
	tests := []struct {
		name    string
		src     Sources
		wantAll []string
	}{
		{"two bad keys in a file", Sources{File: "testdata/config.bad-two-keys.yml"}, []string{"http.addr", "shutdown.timeout"}},
		{"unknown key", Sources{File: "testdata/config.bad-unknown-key.yml"}, []string{"http.adr", "unknown key"}},
		{"bad env values", Sources{Environ: []string{"ORCH_SHUTDOWN__DRAIN=abc", "ORCH_LOG__FORMAT=xml", "ORCH_HTTP__MAX_BODY=lots"}}, []string{"shutdown.drain", "log.format", "http.max_body"}},
		{"drain longer than timeout", Sources{Overrides: map[string]string{"shutdown.drain": "30s"}}, []string{"shutdown.drain"}},
		{"pprof off loopback", Sources{Overrides: map[string]string{"debug.addr": "0.0.0.0:6060"}}, []string{"debug.addr"}},
		{"zero interval", Sources{Overrides: map[string]string{"supervision.window": "0s"}}, []string{"supervision.window"}},
		{"missing file", Sources{File: "testdata/nope.yml"}, []string{"nope.yml"}},
		{"bad zone", Sources{Overrides: map[string]string{"business.timezone": "Mars/Olympus"}}, []string{"business.timezone"}},
		{"bad hours", Sources{Environ: []string{"ORCH_BUSINESS__OPEN=18:00", "ORCH_BUSINESS__DAYS=mon,funday", "ORCH_BUSINESS__BLACKOUT_DATES=2026-12-25,25/12"}},
			[]string{"business.close: must be after", "funday", "business.blackout_dates[1]"}},
		{"live provider without a key", Sources{Environ: []string{"ORCH_BLAND__MODE=live", "ORCH_CONVOSO__MODE=LIVE"}},
			[]string{"bland.api_key", "convoso.mode"}},
		{"bad caller id", Sources{Environ: []string{"ORCH_BLAND__FROM_NUMBERS=+15555550188,5550188"}}, []string{"bland.from_numbers[1]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(tt.src)
			if err == nil {
				t.Fatal("Load succeeded, want an error")
			}
			for _, want := range tt.wantAll {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not name %q", err, want)
				}
			}
		})
	}
}

func TestByteSize(t *testing.T) {
	tests := []struct {
		in   string
		want ByteSize
		ok   bool
	}{
		{"1MiB", 1 << 20, true}, {"512KB", 512000, true}, {"64k", 64 << 10, true},
		{"1048576", 1 << 20, true}, {"2 GiB", 2 << 30, true}, {"lots", 0, false}, {"-1", 0, false},
	}
	for _, tt := range tests {
		var got ByteSize
		err := got.UnmarshalText([]byte(tt.in))
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("UnmarshalText(%q) = %v, %v; want %v, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestYAMLMasksSecretsAndRoundTrips(t *testing.T) {
	cfg := Default()
	cfg.Admin.APIKey = "s3cr3t-value"
	out, err := cfg.YAML()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), "s3cr3t") {
		t.Fatalf("config print leaks a secret:\n%s", out)
	}
	for _, want := range []string{"max_body: 1MiB", "timeout: 20s", "api_key: '******'"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("YAML lacks %q:\n%s", want, out)
		}
	}
}
