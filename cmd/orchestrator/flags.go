package main

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"orchestrator/config"
)

// setFlags collects repeatable --set key=value overrides.
type setFlags map[string]string

func (s setFlags) String() string { return "" }

func (s setFlags) Set(v string) error {
	key, val, ok := strings.Cut(v, "=")
	if !ok || key == "" {
		return fmt.Errorf("want KEY=VALUE, got %q", v)
	}
	s[key] = val
	return nil
}

// shortcuts are flags named after the config key they set.
var shortcuts = []string{"http.addr", "data.dir", "log.level", "log.format"}

// loadConfig parses flags and loads the configuration. On any problem it
// prints every one of them and returns exitConfig.
func loadConfig(args []string, stderr io.Writer, environ []string) (config.Config, config.Sources, int) {
	fs := flag.NewFlagSet("orchestrator", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	file := fs.String("config", "", "YAML configuration file")
	overrides := setFlags{}
	fs.Var(overrides, "set", "KEY=VALUE")
	short := map[string]*string{}
	for _, key := range shortcuts {
		short[key] = fs.String(key, "", key)
	}
	if err := fs.Parse(args); err != nil {
		fmt.Fprintf(stderr, "orchestrator: %v\n\n", err)
		usage(stderr)
		return config.Config{}, config.Sources{}, exitConfig
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "orchestrator: unexpected arguments %q\n", fs.Args())
		return config.Config{}, config.Sources{}, exitConfig
	}
	fs.Visit(func(f *flag.Flag) {
		if p, ok := short[f.Name]; ok {
			overrides[f.Name] = *p
		}
	})
	src := config.Sources{File: *file, Environ: environ, Overrides: overrides}
	cfg, err := config.Load(src)
	if err != nil {
		fmt.Fprintln(stderr, "orchestrator: invalid configuration:")
		for _, line := range strings.Split(err.Error(), "\n") {
			fmt.Fprintf(stderr, "  - %s\n", line)
		}
		return config.Config{}, config.Sources{}, exitConfig
	}
	return cfg, src, exitOK
}
