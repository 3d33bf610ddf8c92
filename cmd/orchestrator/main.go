// Command orchestrator runs the outbound call centre's automation daemon.
package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	_ "time/tzdata" // business hours must work on machines without a zone database
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// Exit codes (DESIGN §3.4).
const (
	exitOK      = 0
	exitFailure = 1
	exitConfig  = 78 // EX_CONFIG: systemd's RestartPreventExitStatus keeps a typo from restart-looping
)

func main() { os.Exit(run(os.Args[1:], os.Stderr)) }

// run dispatches the subcommand and returns the process exit code.
func run(args []string, stderr io.Writer) int {
	cmd, rest := "run", args
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, rest = args[0], args[1:]
	}
	switch cmd {
	case "run":
		return runDaemon(rest, stderr, os.Environ(), nil)
	case "config":
		return runConfig(rest, stderr)
	case "stats":
		return runStats(rest, os.Stdout, stderr)
	case "version":
		fmt.Fprintf(os.Stdout, "orchestrator %s (%s)\n", version, runtime.Version())
		return exitOK
	case "help", "-h", "--help":
		usage(stderr)
		return exitOK
	}
	fmt.Fprintf(stderr, "orchestrator: unknown command %q\n\n", cmd)
	usage(stderr)
	return exitConfig
}

func usage(w io.Writer) {
	fmt.Fprint(w, `Usage:
  orchestrator [run] [flags]        start the daemon (the default)
  orchestrator config check [flags] validate the configuration and exit
  orchestrator config print [flags] print the effective configuration (secrets masked)
  orchestrator stats rebuild [--from DATE] [--to DATE] [flags]
                                    recompute statistics from the journal (daemon stopped)
  orchestrator version              print the version

Flags:
  --config FILE       YAML configuration file
  --set KEY=VALUE     set any key, e.g. --set shutdown.timeout=30s (repeatable)
  --http.addr ADDR    listen address (port 0 picks a free port)
  --data.dir DIR      where the journal and state live
  --log.level LEVEL   debug, info, warn or error
  --log.format FMT    json or console

Precedence, lowest first: defaults, --config file, ORCH_* environment
(ORCH_HTTP__ADDR=…; "__" nests), flags.
`)
}

func runConfig(args []string, stderr io.Writer) int {
	if len(args) == 0 || (args[0] != "check" && args[0] != "print") {
		fmt.Fprintln(stderr, "orchestrator: config needs 'check' or 'print'")
		return exitConfig
	}
	cfg, _, code := loadConfig(args[1:], stderr, os.Environ())
	if code != exitOK {
		return code
	}
	if args[0] == "check" {
		fmt.Fprintln(os.Stdout, "config OK")
		return exitOK
	}
	out, err := cfg.YAML()
	if err != nil {
		fmt.Fprintf(stderr, "orchestrator: render config: %v\n", err)
		return exitFailure
	}
	_, _ = os.Stdout.Write(out)
	return exitOK
}
