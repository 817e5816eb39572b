package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// version is Ballast's release; "ballast version" prints it.
const version = "0.1.0-dev"

// env is the outside world a subcommand may touch: environment, standard streams.
type env struct {
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// envOr returns the environment variable key, or def when it is unset or empty.
func (e *env) envOr(key, def string) string {
	if v := e.getenv(key); v != "" {
		return v
	}
	return def
}

// run is the whole program: main only supplies the real environment. args[0]
// is the program name; the first argument that is not a flag names the
// subcommand, "serve" when there is none. Later features add a case here and a
// cmdXxx function in its own file.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	e := &env{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	var rest []string
	if len(args) > 1 {
		rest = args[1:]
	}
	cmd := "serve"
	if len(rest) > 0 && (!strings.HasPrefix(rest[0], "-") || isHelpFlag(rest[0])) {
		cmd, rest = rest[0], rest[1:]
	}
	switch cmd {
	case "serve":
		return cmdServe(ctx, e, rest)
	case "import":
		return cmdImport(ctx, e, rest)
	case "user":
		return cmdUser(ctx, e, rest)
	case "rebalance":
		return cmdRebalance(ctx, e, rest)
	case "rules":
		return cmdRules(ctx, e, rest)
	case "compliance":
		return cmdCompliance(ctx, e, rest)
	case "bench":
		return cmdBench(ctx, e, rest)
	case "simbroker":
		return cmdSimbroker(ctx, e, rest)
	case "version":
		return cmdVersion(ctx, e, rest)
	case "help", "-h", "-help", "--help":
		return cmdHelp(ctx, e, rest)
	default:
		return fmt.Errorf("unknown command %q; run \"ballast help\" for the list", cmd)
	}
}

func isHelpFlag(s string) bool { return s == "-h" || s == "-help" || s == "--help" }

// usage is what "ballast help" prints.
const usage = `Ballast — a self-hosted buy-side order management system.

Usage:
  ballast [serve] [--addr ADDR] [--db FILE] [--log-format text|json] [--no-demo]
      Serve the desk (the default). On an empty database, seed a demo desk and
      print its sign-ins. Stops gracefully on SIGINT or SIGTERM.
        --addr        listen address (env BALLAST_ADDR, default 127.0.0.1:8080).
                      A non-loopback address marks cookies Secure: serve it behind HTTPS.
        --db          SQLite database file (env BALLAST_DB, default ./ballast.db)
        --log-format  text or json (default text), written to stderr
        --no-demo     do not seed the demo desk on an empty database
        --compliance-batch-at  daily post-trade compliance batch, HH:MM UTC or off
                      (env BALLAST_COMPLIANCE_BATCH_AT, default 18:00)
        --price-feed  sim (a random walk from the latest prices, the default) or none
                      (env BALLAST_PRICE_FEED); scripts add prices with POST /api/v1/prices
        --price-interval  time between simulated ticks (default 2s)
        --price-seed  seed of the simulated walk (default 0: from the clock)
        --fix-config  QuickFIX initiator settings, one [SESSION] per broker (docs/fix.md;
                      env BALLAST_FIX_CONFIG). Without it a simulated broker SIM runs
                      in process (--no-sim-broker: none). Also --fix-store file|sql,
                      --fix-store-dir, --fix-max-msgs-per-second, --fix-queue-max-age.

  ballast simbroker [--listen 127.0.0.1:9878] [--seed N] [--latency 500ms] [--fills 3]
      Run a simulated sell-side FIX acceptor (FIX 4.4 SIM, FIX 4.2 SIM42) and print
      initiator settings to use against it with serve --fix-config.

  ballast import securities|portfolios|holdings|prices FILE [--db FILE]
  ballast import models|restrictions FILE [--db FILE]     (formats in docs/rebalance.md)
      Import a CSV file (FILE "-" reads stdin); formats in docs/import.md. The file
      is checked whole first: any bad line is printed as "line N: reason", nothing
      is written and the exit status is 1. Otherwise prints "N added, M updated".

  ballast user add --name NAME --role ROLE[,ROLE] [--db FILE]
      Create a user; the password is read from the first line of stdin.
      Roles: pm, trader, compliance, admin.

  ballast user token --name NAME [--label LABEL] [--db FILE]
      Create an API token for a user and print it (it is shown only once).

  ballast rebalance (--portfolio NAME ... | --model NAME | --all) [--mode target|band]
          [--cash-reserve 2%|10000] [--min-trade 500] [--collar-bps 50] [--buy-only]
          [--raise 100000] [--format table|csv|json] [--save] [--db FILE]
      Plan the trades that bring portfolios back to their models (docs/rebalance.md).
      A dry run that writes nothing unless --save proposes them as orders.

  ballast rules export [--db FILE]
  ballast rules import FILE [--reason TEXT] [--keep-others] [--db FILE]
      Print the active compliance rules as a rules file, or make FILE ("-": stdin)
      the rule set: validated whole, every problem listed, nothing half-written;
      each changed rule gets a new version by "cli" (docs/compliance.md).

  ballast compliance batch [--portfolio NAME ...] [--format table|json] [--db FILE]
      Check current holdings against the active rules, store and print the alerts.
      Exit status 0 unless the check could not run.

  ballast bench compliance [--portfolios 10000] [--positions 100] [--trades 10]
      Check a synthetic desk against 15 rules on every core and print the time.

  ballast bench rebalance [--portfolios 10000] [--positions 100]
      Plan a synthetic in-memory book and print portfolios/s and trades/s.

  ballast bench booking [--executions 100000] [--batch 1] [--sessions 1] [--blocks 100] [--orders-per-block 1]
      Book partial fills through the order Service on a temporary SQLite database
      and print executions/s (docs/orders.md).

  ballast bench fix [--orders 20000] [--rate 0] [--workers 16] [--basket 1] [--fills 1] [--store file|sql] [--store-sync group|message]
          [--sim process|inproc] [--sim-addr HOST:PORT]
      Release orders to a simulated broker over FIX and print orders/s fully booked
      and p50/p99 latency from release to fill booked (docs/fix.md).

  ballast bench triggers [--conditions 100000] [--ticks 1000] [--batches 200]
      Evaluate price batches against a synthetic book of conditions and print
      milliseconds per batch (docs/conditions.md).

  ballast version    print the version
  ballast help       print this help
`

func cmdHelp(_ context.Context, e *env, _ []string) error {
	_, err := io.WriteString(e.stdout, usage)
	return err
}

func cmdVersion(_ context.Context, e *env, args []string) error {
	if len(args) > 0 {
		return fmt.Errorf("version: unexpected arguments %q", args)
	}
	_, err := fmt.Fprintf(e.stdout, "ballast %s\n", version)
	return err
}

// newFlagSet returns a flag set that reports errors instead of exiting.
func newFlagSet(name string, e *env) *flag.FlagSet {
	fs := flag.NewFlagSet("ballast "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	return fs
}

// dbFlag adds the --db flag every subcommand that opens the database takes.
func dbFlag(fs *flag.FlagSet, e *env) *string {
	return fs.String("db", e.envOr("BALLAST_DB", "./ballast.db"), "SQLite database file (env BALLAST_DB)")
}

// parseFlags parses flags placed before, between or after positional
// arguments and returns the positional ones.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// flagErr turns -h into success (the flags were printed) and wraps other errors.
func flagErr(cmd string, err error) error {
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	return fmt.Errorf("%s: %w", cmd, err)
}
