package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/ballast-oms/ballast/order"
	"github.com/ballast-oms/ballast/portfolio"
)

// OrderStore is the SQLite order.Store: orders, blocks, ClOrdID chains,
// executions, allocations, positions, cash and the append-only audit trail,
// plus the read queries of the blotter, the order detail and the audit pages.
// Its transactions run on the writer (BEGIN IMMEDIATE) and reuse statements
// prepared once per store.
type OrderStore struct {
	d     *DB
	mu    sync.Mutex
	stmts map[string]*sql.Stmt
	group group
	carry carry // allocations, positions and cash kept between transactions (see carry); used by the group's leader only
}

// NewOrderStore returns the order store of d.
func NewOrderStore(d *DB) *OrderStore {
	return &OrderStore{d: d, stmts: map[string]*sql.Stmt{}}
}

// InTx runs fn as one transaction: everything fn writes is committed when
// it returns nil, and nothing when it returns an error; InTx returns once
// the outcome is durable. Callers arriving together share one SQLite
// transaction (group commit, see group.go), each in its own savepoint.
func (s *OrderStore) InTx(ctx context.Context, fn func(tx order.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.group.run(ctx, fn, s.commitBatch)
}

// prepared returns the store's statement for q, if it was prepared.
func (s *OrderStore) prepared(q string) (*sql.Stmt, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.stmts[q]
	return st, ok
}

// prepareLater prepares on the writer the statements a transaction had to
// prepare for itself, so later transactions reuse them. It runs after the
// transaction, when the writer's one connection is free again. A failure
// only means the next transaction prepares the statement once more.
func (s *OrderStore) prepareLater(ctx context.Context, qs []string) {
	for _, q := range qs {
		if _, ok := s.prepared(q); ok {
			continue
		}
		st, err := s.d.writer.PrepareContext(ctx, q)
		if err != nil {
			continue
		}
		s.mu.Lock()
		if _, ok := s.stmts[q]; ok {
			st.Close()
		} else {
			s.stmts[q] = st
		}
		s.mu.Unlock()
	}
}

// orderTx is one transaction of the OrderStore as its caller sees it; it
// implements order.Tx.
type orderTx struct {
	s  *OrderStore
	tx *sql.Tx
	// conn is the connection tx is open on, for a stream transaction
	// (InStreamTx) only: its bulk inserts go to the driver directly.
	conn *sql.Conn
	st   *stmtSet
	c    *txCache
	// built is the transaction's ProposedRows builder (nil: none), and
	// inserted how many of its chunks InsertRows has inserted.
	built    *rowBuilder
	inserted int
}

// stmtSet is the statements one SQLite transaction has bound or prepared.
type stmtSet struct {
	m     map[string]*sql.Stmt
	fresh []string // queries this transaction prepared for itself
}

// stmt returns q prepared for this transaction: the store's statement bound
// to the transaction (the writer has one connection, so it is not prepared
// again), or, the first time q is used, one prepared on the transaction.
func (t *orderTx) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	if st, ok := t.st.m[q]; ok {
		return st, nil
	}
	var st *sql.Stmt
	if base, ok := t.s.prepared(q); ok {
		st = t.tx.StmtContext(ctx, base)
	} else {
		var err error
		if st, err = t.tx.PrepareContext(ctx, q); err != nil {
			return nil, fmt.Errorf("prepare: %w", err)
		}
		t.st.fresh = append(t.st.fresh, q)
	}
	t.st.m[q] = st
	return st, nil
}

// The statements of a transaction run without the caller's cancellation
// (uncancelled): the transaction may be shared by a batch of callers (see
// group), and SQLite interrupting one statement of an explicit transaction
// can roll back all of it. Each caller's context is checked before its fn
// runs. It also spares the driver a watcher goroutine per statement.
func uncancelled(ctx context.Context) context.Context { return context.WithoutCancel(ctx) }

func (t *orderTx) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	ctx = uncancelled(ctx)
	st, err := t.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

func (t *orderTx) queryRow(ctx context.Context, q string, args ...any) (*sql.Row, error) {
	ctx = uncancelled(ctx)
	st, err := t.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.QueryRowContext(ctx, args...), nil
}

func (t *orderTx) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	ctx = uncancelled(ctx)
	st, err := t.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// orderNotFound wraps both order.ErrNotFound (for the Service) and
// ErrNotFound (for the web layer's IsNotFound).
func orderNotFound(what string, key any) error {
	return fmt.Errorf("db: %s %v: %w (%w)", what, key, order.ErrNotFound, ErrNotFound)
}

// sqliteCode is the extended result code of a SQLite error, or 0.
func sqliteCode(err error) int {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return 0
	}
	return e.Code()
}

// isCheckViolation reports whether err is SQLite refusing a CHECK constraint.
func isCheckViolation(err error) bool { return sqliteCode(err) == sqlite3.SQLITE_CONSTRAINT_CHECK }

func (t *orderTx) Security(ctx context.Context, symbol string) (portfolio.Security, error) {
	row, err := t.queryRow(ctx, `SELECT `+securityColumns+` FROM securities WHERE symbol = ?`, symbol)
	if err != nil {
		return portfolio.Security{}, err
	}
	sec, err := scanSecurity(row)
	if errors.Is(err, sql.ErrNoRows) {
		return sec, orderNotFound("security", symbol)
	}
	if err != nil {
		return sec, fmt.Errorf("db: security %s: %w", symbol, err)
	}
	return sec, nil
}

// fmtOptTime is the stored form of a time that may be unset: ” for zero.
func fmtOptTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return formatTime(t)
}

// parseOptTime reads a stored time that may be unset.
func parseOptTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return parseTime(s)
}

// nullString stores "" as NULL.
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// nullID stores 0 as NULL.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// prefixed qualifies each column of a comma-separated list with p, e.g. "b.".
func prefixed(p, columns string) string {
	parts := strings.Split(columns, ",")
	for i, c := range parts {
		parts[i] = p + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
}
