package main

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/ballast-oms/ballast/db"
)

// openCLIDB opens the database cliRun used in dir.
func openCLIDB(t *testing.T, dir string) *db.DB {
	t.Helper()
	return cliOpenDB(t, filepath.Join(dir, "cli.db"))
}

// cliOpenDB opens the database at path for a test to inspect.
func cliOpenDB(t *testing.T, path string) *db.DB {
	t.Helper()
	d, err := db.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}
