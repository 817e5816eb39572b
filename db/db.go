// Package db is Ballast's SQLite storage (modernc.org/sqlite, no cgo): it opens the
// database with the right pragmas, keeps one writer connection and a read-only
// reader pool, applies the embedded migrations, and stores the domain types of
// portfolio and user. All SQL lives here.
package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// ErrNotFound is wrapped by lookups that find nothing; test with errors.Is.
var ErrNotFound = errors.New("not found")

// ErrConflict is wrapped when a write clashes with a unique key, e.g. a user name taken.
var ErrConflict = errors.New("conflict")

// readerConns is the size of the read-only connection pool.
const readerConns = 4

// DB is Ballast's SQLite database: one writer connection (transactions begin
// IMMEDIATE, so writers queue on busy_timeout instead of failing) and a pool of
// query-only readers that WAL lets run beside the writer.
type DB struct {
	writer *sql.DB
	reader *sql.DB
	ckpt   *checkpointer
	path   string
	now    func() time.Time
}

// Open opens (creating if needed) the SQLite database at path and applies every
// pending migration, each in its own transaction.
func Open(ctx context.Context, path string) (*DB, error) {
	if path == "" {
		return nil, errors.New("db: open: empty path")
	}
	if strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("db: open %s: path must not contain '?' or '#'", path)
	}
	writer, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		return nil, fmt.Errorf("db: open writer %s: %w", path, err)
	}
	writer.SetMaxOpenConns(1)
	writer.SetMaxIdleConns(1)
	writer.SetConnMaxLifetime(0)
	writer.SetConnMaxIdleTime(0)
	if err := writer.PingContext(ctx); err != nil {
		writer.Close()
		return nil, fmt.Errorf("db: open %s: %w", path, err)
	}
	if err := migrate(ctx, writer); err != nil {
		writer.Close()
		return nil, fmt.Errorf("db: open %s: %w", path, err)
	}
	reader, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		writer.Close()
		return nil, fmt.Errorf("db: open reader %s: %w", path, err)
	}
	reader.SetMaxOpenConns(readerConns)
	reader.SetMaxIdleConns(readerConns)
	if err := reader.PingContext(ctx); err != nil {
		writer.Close()
		reader.Close()
		return nil, fmt.Errorf("db: open reader %s: %w", path, err)
	}
	ckpt, err := startCheckpointer(ctx, path, writer)
	if err != nil {
		writer.Close()
		reader.Close()
		return nil, fmt.Errorf("db: open %s: %w", path, err)
	}
	return &DB{writer: writer, reader: reader, ckpt: ckpt, path: path, now: time.Now}, nil
}

// busyTimeout is how long a connection waits for a lock before it fails.
const busyTimeout = 5 * time.Second

// pageSize is the page size of a database Open creates. SQLite's default,
// 4 KiB, made a whole-book proposal (hundreds of megabytes of new rows in one
// transaction) slower to write and about half as fast to checkpoint: with
// 8 KiB pages `ballast rebalance --all --save` of 10,000 portfolios ended
// in 8.4 s instead of 9.2-9.7 s on the development host, and `ballast bench
// fix` was no slower (docs/performance.md, session 11). An existing
// database keeps the page size it was created with (docs/operations.md
// says how to change it).
const pageSize = 8192

// dsn builds the modernc DSN. The driver runs busy_timeout first, so
// nothing else can fail on a lock, then the other _pragma values in
// alphabetical order, then the shorthand keys: page_size is a _pragma and
// journal_mode the _journal_mode key, so a new database gets its page size
// before WAL mode writes its first page (it cannot change in WAL mode).
// Foreign keys on, NORMAL sync (safe in WAL mode); the writer leaves
// checkpoints to the checkpointer.
func dsn(path string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()))
	q.Add("_pragma", fmt.Sprintf("page_size(%d)", pageSize))
	q.Set("_journal_mode", "WAL")
	q.Add("_pragma", "foreign_keys(ON)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "temp_store(MEMORY)") // savepoint and statement journals stay in memory
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Set("_txlock", "immediate")
		q.Add("_pragma", "cache_size(-65536)")    // 64 MiB: a large transaction (a whole-book proposal) does not spill pages mid-way
		q.Add("_pragma", "wal_autocheckpoint(0)") // the checkpointer does it off the commit path (checkpoint.go)
		q.Add("_pragma", fmt.Sprintf("journal_size_limit(%d)", walSizeLimit))
	}
	// url.Values.Encode sorts keys but keeps each key's values in order.
	return path + "?" + q.Encode()
}

// SetClock replaces the clock used for created-at times and default price times
// (tests use a fixed one). Call it before the DB is shared.
func (d *DB) SetClock(now func() time.Time) { d.now = now }

// Close stops the checkpointer and closes the reader pool and the writer
// (the last connection to close checkpoints what is left of the WAL).
func (d *DB) Close() error {
	return errors.Join(d.ckpt.close(), d.reader.Close(), d.writer.Close())
}

// Ping checks that the database answers a query.
func (d *DB) Ping(ctx context.Context) error {
	var one int
	if err := d.reader.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("db: ping: %w", err)
	}
	return nil
}

// Writer returns the single writer connection (e.g. for the web session store).
func (d *DB) Writer() *sql.DB { return d.writer }

// Reader returns the query-only reader pool.
func (d *DB) Reader() *sql.DB { return d.reader }

// timeFormat is how times are stored: UTC, fixed width, so TEXT order is time order.
const timeFormat = "2006-01-02T15:04:05.000000Z"

func formatTime(t time.Time) string { return t.UTC().Format(timeFormat) }

func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("bad stored time %q: %w", s, err)
	}
	return t.UTC(), nil
}

// inTx runs fn in a writer transaction (BEGIN IMMEDIATE), committing when fn
// returns nil and rolling back otherwise.
func (d *DB) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return runTx(ctx, d.writer.BeginTx, fn)
}

// inTxRefsChecked is inTx for a transaction whose writes check their own
// references (InStreamTx): SQLite's foreign key enforcement is off for it.
// The pragma does nothing inside a transaction, so it is set on the
// writer's connection before BEGIN and set back after, whatever fn did; a
// connection that does not read back as set is discarded, and the next one
// opens with foreign keys on (Open's DSN). fn also gets the connection the
// transaction is open on (for insertBulkConn).
func (d *DB) inTxRefsChecked(ctx context.Context, fn func(conn *sql.Conn, tx *sql.Tx) error) error {
	conn, err := d.writer.Conn(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "PRAGMA foreign_keys = OFF"); err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() {
		// Inside a transaction left open (a failed COMMIT or ROLLBACK) the
		// pragma does nothing without an error: read it back.
		bg := context.Background()
		on := 0
		if _, err := conn.ExecContext(bg, "PRAGMA foreign_keys = ON"); err == nil {
			err = conn.QueryRowContext(bg, "PRAGMA foreign_keys").Scan(&on)
		}
		if on != 1 {
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
	}()
	return runTx(ctx, conn.BeginTx, func(tx *sql.Tx) error { return fn(conn, tx) })
}

// runTx runs fn in a transaction from begin, committing when fn succeeds.
func runTx(ctx context.Context, begin func(context.Context, *sql.TxOptions) (*sql.Tx, error), fn func(tx *sql.Tx) error) error {
	tx, err := begin(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}
