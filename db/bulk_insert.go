package db

import (
	"context"
	"database/sql"
	"fmt"
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
// INSERTs of batchRows rows, in order. One goroutine of its own builds
// every table's rows, so formatting and allocating them overlaps SQLite's
// work on the transaction's connection, across the tables too: the rows of
// the next table are ready when the writer reaches it (row must only read
// what does not change until insertBulk returns). Within one statement, a
// column whose value is the same string, integer or NULL in every row is
// bound once, as a numbered parameter every row refers to: binding is a
// good part of a bulk insert's cost, and many columns of a proposal's
// orders and events repeat (times, actor, statuses). An error is a
// *bulkError naming the table.
func insertBulk(ctx context.Context, tx *sql.Tx, tables ...bulkTable) error {
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
	type stmtKey struct {
		table int
		same  uint64
	}
	stmts := map[stmtKey]*sql.Stmt{}
	defer func() {
		for _, st := range stmts {
			st.Close()
		}
	}()
	for p := range ch {
		t := tables[p.table]
		var err error
		if p.rows == batchRows {
			k := stmtKey{p.table, p.same}
			st, ok := stmts[k]
			if !ok {
				if st, err = tx.PrepareContext(ctx, bulkSQL(t.name, t.cols, p.same, p.rows)); err != nil {
					return &bulkError{table: t.name, err: err}
				}
				stmts[k] = st
			}
			_, err = st.ExecContext(ctx, p.args...)
		} else {
			_, err = tx.ExecContext(ctx, bulkSQL(t.name, t.cols, p.same, p.rows), p.args...)
		}
		if err != nil {
			return &bulkError{table: t.name, err: err}
		}
	}
	return nil
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
	table int // index in insertBulk's tables
	args  []any
	rows  int
	same  uint64
}

// buildParts builds the parts of every table's rows and sends them in
// order until done or stop.
func buildParts(tables []bulkTable, out chan<- bulkPart, stop <-chan struct{}) {
	defer close(out)
	for ti, t := range tables {
		cols := len(t.cols)
		vals := make([]any, 0, batchRows*cols)
		for lo := 0; lo < t.n; lo += batchRows {
			hi := min(lo+batchRows, t.n)
			vals = vals[:0]
			for i := lo; i < hi; i++ {
				vals = t.row(i, vals)
			}
			p := compact(vals, cols, hi-lo)
			p.table = ti
			select {
			case out <- p:
			case <-stop:
				return
			}
		}
	}
}

// compact finds the columns whose value is the same in every row of vals
// and returns the part: those values once, then the rest row by row.
func compact(vals []any, cols, rows int) bulkPart {
	var same uint64
	for c := 0; c < cols; c++ {
		if sameInRows(vals, cols, rows, c) {
			same |= 1 << c
		}
	}
	p := bulkPart{rows: rows, same: same, args: make([]any, 0, len(vals))}
	for c := 0; c < cols; c++ {
		if same&(1<<c) != 0 {
			p.args = append(p.args, vals[c])
		}
	}
	for r := 0; r < rows; r++ {
		for c := 0; c < cols; c++ {
			if same&(1<<c) == 0 {
				p.args = append(p.args, vals[r*cols+c])
			}
		}
	}
	return p
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
