package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"iter"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// batchRows is how many rows one multi-row INSERT carries.
const batchRows = 64

// rowFunc appends the values of row i, in the order of the INSERT's columns, to dst.
type rowFunc func(i int, dst []any) []any

// bulkTable is rows 0..n-1 of one table's cols (at most 64 columns), each
// built by row.
type bulkTable struct {
	name string
	cols []string
	n    int
	row  rowFunc
}

// bulkAhead bounds how many parts (multi-row INSERTs) the builder may have
// ready before the writer takes them: enough that, while the other core is
// free, it builds far ahead instead of the writer waiting for each part
// (about 60 ms of the writer's work on a whole-book proposal), and few
// enough that the parts waiting hold a few megabytes (16 KB a part).
const bulkAhead = 256

// insertBulk writes the rows of tables, table after table, with multi-row
// INSERTs of batchRows rows, in order, through the transaction tx. See
// runBulk.
func insertBulk(ctx context.Context, tx *sql.Tx, tables ...bulkTable) error {
	return onTx(tx, func(r bulkRunner) error { return runBulk(ctx, r, tables) })
}

// onTx runs fn with a runner of statements in the transaction tx.
func onTx(tx *sql.Tx, fn func(bulkRunner) error) error {
	r := &txRunner{tx: tx, stmts: map[stmtKey]*sql.Stmt{}}
	defer r.close()
	return fn(r)
}

// insertBulkConn is insertBulk on conn, whose transaction is open: the
// statements go to the SQLite driver's connection beneath it directly. On a
// whole-book proposal (some 18 million values) database/sql's checking and
// converting of each value, and its locking and result handling around each
// statement, were about a tenth of the writer's time, which is what bounds
// the save. The rows hold only values the driver takes as they are (the
// builder converts any other, as database/sql would).
func insertBulkConn(ctx context.Context, conn *sql.Conn, tables ...bulkTable) error {
	return onDriver(conn, func(r bulkRunner) error { return runBulk(ctx, r, tables) })
}

// onDriver runs fn with a runner of statements on the driver's connection
// beneath conn.
func onDriver(conn *sql.Conn, fn func(bulkRunner) error) error {
	return conn.Raw(func(dc any) error {
		pc, ok := dc.(driver.ConnPrepareContext)
		if !ok {
			return fmt.Errorf("db: bulk insert: the SQLite driver's connection (%T) cannot prepare statements", dc)
		}
		r := &driverRunner{conn: pc, stmts: map[stmtKey]driver.Stmt{}}
		defer r.close()
		return fn(r)
	})
}

// runBulk writes the rows of tables with r. One goroutine of its own builds
// every table's rows, so formatting and allocating them overlaps SQLite's
// work on the transaction's connection, across the tables too: the rows of
// the next table are ready when the writer reaches it (row must only read
// what does not change until runBulk returns). Within one statement, a
// column whose value is the same string, integer or NULL in every row is
// bound once, as a numbered parameter every row refers to: binding is a
// good part of a bulk insert's cost, and many columns of a proposal's
// orders and events repeat (times, actor, statuses). An error is a
// *bulkError naming the table.
func runBulk(ctx context.Context, r bulkRunner, tables []bulkTable) error {
	parts := 0
	for _, t := range tables {
		parts += (t.n + batchRows - 1) / batchRows
	}
	if parts == 0 {
		return nil
	}
	ch := make(chan bulkPart, min(parts, bulkAhead))
	stop := make(chan struct{})
	go buildParts(tables, ch, stop)
	defer func() {
		close(stop)
		for range ch { // let the builder end
		}
	}()
	for p := range ch {
		if err := runPart(ctx, r, tables, p); err != nil {
			return err
		}
	}
	return nil
}

// runParts runs parts, built from tables, with r in order.
func runParts(ctx context.Context, r bulkRunner, tables []bulkTable, parts []bulkPart) error {
	for _, p := range parts {
		if err := runPart(ctx, r, tables, p); err != nil {
			return err
		}
	}
	return nil
}

// runPart runs one part with r.
func runPart(ctx context.Context, r bulkRunner, tables []bulkTable, p bulkPart) error {
	t := tables[p.table]
	if p.err != nil {
		return &bulkError{table: t.name, err: p.err}
	}
	k := stmtKey{p.table, p.same}
	query := func() string { return bulkSQL(t.name, t.cols, p.same, p.rows) }
	if err := r.run(ctx, k, p.rows == batchRows, query, p.args); err != nil {
		return &bulkError{table: t.name, err: err}
	}
	return nil
}

// stmtKey names a full part's statement: its table and the columns bound once.
type stmtKey struct {
	table int
	same  uint64
}

// bulkRunner runs the statements of a bulk insert.
type bulkRunner interface {
	// run executes query() with args; when keep, the statement is kept
	// under k for the next part of the same shape.
	run(ctx context.Context, k stmtKey, keep bool, query func() string, args []driver.NamedValue) error
	close()
}

// txRunner runs a bulk insert's statements in a database/sql transaction.
type txRunner struct {
	tx    *sql.Tx
	stmts map[stmtKey]*sql.Stmt
	args  []any
}

func (r *txRunner) run(ctx context.Context, k stmtKey, keep bool, query func() string, args []driver.NamedValue) error {
	r.args = r.args[:0]
	for _, a := range args {
		r.args = append(r.args, a.Value)
	}
	if !keep {
		_, err := r.tx.ExecContext(ctx, query(), r.args...)
		return err
	}
	st, ok := r.stmts[k]
	if !ok {
		var err error
		if st, err = r.tx.PrepareContext(ctx, query()); err != nil {
			return err
		}
		r.stmts[k] = st
	}
	_, err := st.ExecContext(ctx, r.args...)
	return err
}

func (r *txRunner) close() {
	for _, st := range r.stmts {
		st.Close()
	}
}

// driverRunner runs a bulk insert's statements on the SQLite driver's
// connection, inside the transaction open on it.
type driverRunner struct {
	conn  driver.ConnPrepareContext
	stmts map[stmtKey]driver.Stmt
}

func (r *driverRunner) run(ctx context.Context, k stmtKey, keep bool, query func() string, args []driver.NamedValue) error {
	st, ok := r.stmts[k]
	if !ok || !keep {
		var err error
		if st, err = r.conn.PrepareContext(ctx, query()); err != nil {
			return err
		}
		if keep {
			r.stmts[k] = st
		} else {
			defer st.Close()
		}
	}
	ex, ok := st.(driver.StmtExecContext)
	if !ok {
		return fmt.Errorf("the SQLite driver's statement (%T) cannot execute with a context", st)
	}
	_, err := ex.ExecContext(ctx, args)
	return err
}

func (r *driverRunner) close() {
	for _, st := range r.stmts {
		st.Close()
	}
}

// bulkError is a bulk insert's failure in table.
type bulkError struct {
	table string
	err   error
}

func (e *bulkError) Error() string { return "insert into " + e.table + ": " + e.err.Error() }
func (e *bulkError) Unwrap() error { return e.err }

// bulkPart is the values of one multi-row INSERT: first the value of each
// column in same (a bit per column), then each row's other values.
type bulkPart struct {
	table int // index in runBulk's tables
	args  []driver.NamedValue
	rows  int
	same  uint64
	err   error // a value the driver cannot take (nothing else is set)
}

// buildParts sends the parts of every table's rows in order until done or
// stop, and stops after a part with an error.
func buildParts(tables []bulkTable, out chan<- bulkPart, stop <-chan struct{}) {
	defer close(out)
	for p := range eachPart(tables) {
		select {
		case out <- p:
		case <-stop:
			return
		}
	}
}

// eachPart builds the parts of every table's rows, in order; a part with
// an error is the last.
func eachPart(tables []bulkTable) iter.Seq[bulkPart] {
	return func(yield func(bulkPart) bool) {
		for ti, t := range tables {
			cols := len(t.cols)
			vals := make([]any, 0, batchRows*cols)
			for lo := 0; lo < t.n; lo += batchRows {
				hi := min(lo+batchRows, t.n)
				vals = vals[:0]
				for i := lo; i < hi; i++ {
					vals = t.row(i, vals)
				}
				p, err := compact(vals, cols, hi-lo)
				p.table, p.err = ti, err
				if !yield(p) || err != nil {
					return
				}
			}
		}
	}
}

// compact finds the columns whose value is the same in every row of vals
// and returns the part: those values once, then the rest row by row, each
// numbered (Ordinal) as the statement's parameters are. Values of types
// the driver does not take as they are (an int, say) are converted as
// database/sql would; one that cannot be is an error.
func compact(vals []any, cols, rows int) (bulkPart, error) {
	var same uint64
	for c := 0; c < cols; c++ {
		if sameInRows(vals, cols, rows, c) {
			same |= 1 << c
		}
	}
	p := bulkPart{rows: rows, same: same, args: make([]driver.NamedValue, 0, len(vals))}
	add := func(v any) error {
		switch v.(type) {
		case string, int64, nil, float64, bool, []byte, time.Time:
		default:
			var err error
			if v, err = driver.DefaultParameterConverter.ConvertValue(v); err != nil {
				return fmt.Errorf("value %d of the part: %w", len(p.args)+1, err)
			}
		}
		p.args = append(p.args, driver.NamedValue{Ordinal: len(p.args) + 1, Value: v})
		return nil
	}
	for c := 0; c < cols; c++ {
		if same&(1<<c) != 0 {
			if err := add(vals[c]); err != nil {
				return bulkPart{}, err
			}
		}
	}
	for r := 0; r < rows; r++ {
		for c := 0; c < cols; c++ {
			if same&(1<<c) == 0 {
				if err := add(vals[r*cols+c]); err != nil {
					return bulkPart{}, err
				}
			}
		}
	}
	return p, nil
}

// sameInRows reports whether column c holds one string, integer or NULL in every row.
func sameInRows(vals []any, cols, rows, c int) bool {
	if rows < 2 {
		return false
	}
	switch v := vals[c].(type) {
	case string:
		for r := 1; r < rows; r++ {
			if w, ok := vals[r*cols+c].(string); !ok || w != v {
				return false
			}
		}
	case int64:
		for r := 1; r < rows; r++ {
			if w, ok := vals[r*cols+c].(int64); !ok || w != v {
				return false
			}
		}
	case nil:
		for r := 1; r < rows; r++ {
			if vals[r*cols+c] != nil {
				return false
			}
		}
	default:
		return false
	}
	return true
}

// bulkSQL is the INSERT of rows rows into table whose columns in same are
// bound once: they come first in every row as ?1, ?2, …, so that the plain
// parameters of the other columns are numbered after them.
func bulkSQL(table string, cols []string, same uint64, rows int) string {
	var names, fixed []string
	k := 0
	for c, name := range cols {
		if same&(1<<c) != 0 {
			k++
			names = append(names, name)
			fixed = append(fixed, fmt.Sprintf("?%d", k))
		}
	}
	free := 0
	for c, name := range cols {
		if same&(1<<c) == 0 {
			names = append(names, name)
			free++
		}
	}
	params := fixed
	for range free {
		params = append(params, "?")
	}
	one := "(" + strings.Join(params, ", ") + ")"
	var b strings.Builder
	b.WriteString("INSERT INTO " + table + " (" + strings.Join(names, ", ") + ") VALUES ")
	for r := 0; r < rows; r++ {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteString(one)
	}
	return b.String()
}

// rowBoxes builds the values of a bulk insert's rows, column by column,
// reusing the value of the row before when it is the same: the rows of a
// proposal repeat most of their strings (portfolio, statuses, actor,
// reason) and all of their times, and boxing each one again into an any
// (and formatting each time and each zero decimal again) was most of the
// cost of building a row. A nil *rowBoxes formats and boxes every value.
type rowBoxes struct {
	s   []string    // the text of each column's last value
	v   []any       // that text, boxed (nil before the first row)
	t   []time.Time // the time formatted as s, when isT
	isT []bool
}

func newRowBoxes(cols int) *rowBoxes {
	return &rowBoxes{s: make([]string, cols), v: make([]any, cols), t: make([]time.Time, cols), isT: make([]bool, cols)}
}

// str is s, boxed, for column c.
func (b *rowBoxes) str(c int, s string) any {
	if b == nil {
		return s
	}
	if v := b.v[c]; v != nil && b.s[c] == s {
		return v
	}
	b.s[c], b.v[c], b.isT[c] = s, s, false
	return b.v[c]
}

// dec is d in its stored form (decimal text) for column c.
func (b *rowBoxes) dec(c int, d decimal.Decimal) any {
	if d.IsZero() {
		return b.str(c, "0")
	}
	return b.str(c, d.String())
}

// time is t in its stored form (formatTime) for column c.
func (b *rowBoxes) time(c int, t time.Time) any {
	if b == nil {
		return formatTime(t)
	}
	if !b.isT[c] || !t.Equal(b.t[c]) {
		text := formatTime(t)
		b.t[c], b.isT[c], b.s[c], b.v[c] = t, true, text, text
	}
	return b.v[c]
}

// optTime is fmtOptTime(t) for column c: "" for the zero time.
func (b *rowBoxes) optTime(c int, t time.Time) any {
	if t.IsZero() {
		return b.str(c, "")
	}
	return b.time(c, t)
}
