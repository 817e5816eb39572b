package db

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
)

// migrationFiles holds db/migrations/NNNNN_name.sql in goose format. Ranges:
// 00001–00019 foundation, 00020–00029 web/auth, 00030+ later features.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrate applies every pending migration in order, each in its own transaction
// and recorded in goose_db_version. Migrations are forward-only.
func migrate(ctx context.Context, writer *sql.DB) error {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, writer, sub,
		goose.WithDisableGlobalRegistry(true),
		goose.WithAllowOutofOrder(true)) // feature ranges (00060 FIX after 00070 conditions) land in any order
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}
