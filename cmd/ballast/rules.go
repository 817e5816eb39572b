package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/ballast-oms/ballast/compliance"
	"github.com/ballast-oms/ballast/db"
)

// cmdRules runs "ballast rules export" and "ballast rules import FILE".
func cmdRules(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return errors.New("rules: want export or import; usage: ballast rules export|import FILE [--db FILE]")
	}
	switch args[0] {
	case "export":
		return rulesExport(ctx, e, args[1:])
	case "import":
		return rulesImport(ctx, e, args[1:])
	}
	return fmt.Errorf("rules: unknown action %q (want export or import)", args[0])
}

// rulesExport prints the active rules in the rules-file format (docs/compliance.md).
func rulesExport(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("rules export", e)
	dbPath := dbFlag(fs, e)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return flagErr("rules export", err)
	}
	if len(pos) > 0 {
		return fmt.Errorf("rules export: unexpected arguments %q", pos)
	}
	d, err := db.Open(ctx, *dbPath)
	if err != nil {
		return fmt.Errorf("rules export: %w", err)
	}
	defer d.Close()
	rules, err := d.ActiveRules(ctx)
	if err != nil {
		return fmt.Errorf("rules export: %w", err)
	}
	b, err := compliance.MarshalRules(rules)
	if err != nil {
		return fmt.Errorf("rules export: %w", err)
	}
	_, err = e.stdout.Write(b)
	return err
}

// rulesImport reads a rules file (FILE "-" is stdin), validates it whole and
// makes it the rule set: each changed rule gets a new version, rules the file
// leaves out are disabled (a new version), all by the actor "cli", or nothing
// is written and every problem is printed.
func rulesImport(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("rules import", e)
	dbPath := dbFlag(fs, e)
	reason := fs.String("reason", "rules import", "why the rules change (kept with every new version)")
	keep := fs.Bool("keep-others", false, "keep rules the file does not name (default: disable them)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return flagErr("rules import", err)
	}
	if len(pos) != 1 {
		return errors.New("rules import: want one FILE (\"-\" for stdin)")
	}
	rules, err := readRulesFile(e, pos[0])
	if err != nil {
		return fmt.Errorf("rules import: %w", err)
	}
	d, err := db.Open(ctx, *dbPath)
	if err != nil {
		return fmt.Errorf("rules import: %w", err)
	}
	defer d.Close()
	changes := make([]db.RuleChange, len(rules))
	for i, r := range rules {
		changes[i] = db.RuleChange{Rule: r, Enabled: true}
	}
	n, err := d.SaveRules(ctx, changes, "cli", *reason, !*keep)
	if err != nil {
		return fmt.Errorf("rules import: %w", err)
	}
	_, err = fmt.Fprintf(e.stdout, "%d rule(s) read, %d new version(s) written\n", len(rules), n)
	return err
}

func readRulesFile(e *env, name string) ([]compliance.Rule, error) {
	var r io.Reader = e.stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	return compliance.ParseRules(r)
}
