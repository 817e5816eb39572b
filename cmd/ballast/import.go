package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/ballast-oms/ballast/db"
	"github.com/ballast-oms/ballast/portfolio"
)

// cmdImport runs "ballast import KIND FILE [--db FILE]". Bad lines are printed
// to stderr, one "line N: reason" each, and make it fail with nothing written.
func cmdImport(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("import", e)
	dbPath := dbFlag(fs, e)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return flagErr("import", err)
	}
	if len(pos) != 2 {
		return fmt.Errorf("import: want KIND FILE, got %q; usage: ballast import %s FILE [--db FILE]",
			pos, strings.Join(db.ImportKinds, "|"))
	}
	kind, file := pos[0], pos[1]
	if !slices.Contains(db.ImportKinds, kind) {
		return fmt.Errorf("import: unknown kind %q (want %s)", kind, strings.Join(db.ImportKinds, ", "))
	}
	r, closeFile, err := openInput(file, e.stdin)
	if err != nil {
		return fmt.Errorf("import %s: %w", kind, err)
	}
	defer closeFile()
	d, err := db.Open(ctx, *dbPath)
	if err != nil {
		return fmt.Errorf("import %s: %w", kind, err)
	}
	defer d.Close()
	res, err := d.ImportCSV(ctx, kind, r)
	var bad portfolio.ImportErrors
	if errors.As(err, &bad) {
		for _, le := range bad {
			fmt.Fprintln(e.stderr, le.Error())
		}
		return fmt.Errorf("import %s %s: %d bad line(s), nothing imported", kind, file, len(bad))
	}
	if err != nil {
		return fmt.Errorf("import %s %s: %w", kind, file, err)
	}
	_, err = fmt.Fprintf(e.stdout, "%d added, %d updated\n", res.Added, res.Updated)
	return err
}

// openInput opens file for reading; "-" is stdin.
func openInput(file string, stdin io.Reader) (io.Reader, func(), error) {
	if file == "-" {
		return stdin, func() {}, nil
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, nil, err
	}
	return f, func() { f.Close() }, nil
}
