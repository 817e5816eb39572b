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

// insertBulk writes rows 0..n-1 of table's cols (at most 64 columns) with
// multi-row INSERTs of batchRows rows, in order. row builds each row's
// values on a goroutine of its own, so formatting and allocating them
// overlaps SQLite's work on the transaction's connection (row must only
// read what does not change until insertBulk returns). Within one
// statement, a column whose value is the same string, integer or NULL in
// every row is bound once, as a numbered parameter every row refers to:
// binding is a good part of a bulk insert's cost, and many columns of a
// proposal's orders and events repeat (times, actor, statuses).
func insertBulk(ctx context.Context, tx *sql.Tx, table string, cols []string, n int, row rowFunc) error {
	if n == 0 {
		return nil
	}
	parts := make(chan bulkPart, 4)
	stop := make(chan struct{})
	go buildParts(len(cols), n, row, parts, stop)
	defer func() {
		close(stop)
		for range parts { // let the builder end
		}
	}()
	stmts := map[uint64]*sql.Stmt{}
	defer func() {
		for _, st := range stmts {
			st.Close()
		}
	}()
	for p := range parts {
		var err error
		if p.rows == batchRows {
			st, ok := stmts[p.same]
			if !ok {
				if st, err = tx.PrepareContext(ctx, bulkSQL(table, cols, p.same, p.rows)); err != nil {
					return fmt.Errorf("insert into %s: %w", table, err)
				}
				stmts[p.same] = st
			}
			_, err = st.ExecContext(ctx, p.args...)
		} else {
			_, err = tx.ExecContext(ctx, bulkSQL(table, cols, p.same, p.rows), p.args...)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// bulkPart is the values of one multi-row INSERT: first the value of each
// column in same (a bit per column), then each row's other values.
type bulkPart struct {
	args []any
	rows int
	same uint64
}

// buildParts builds the parts of rows 0..n-1 and sends them in order until
// done or stop.
func buildParts(cols, n int, row rowFunc, out chan<- bulkPart, stop <-chan struct{}) {
	defer close(out)
	vals := make([]any, 0, batchRows*cols)
	for lo := 0; lo < n; lo += batchRows {
		hi := min(lo+batchRows, n)
		vals = vals[:0]
		for i := lo; i < hi; i++ {
			vals = row(i, vals)
		}
		select {
		case out <- compact(vals, cols, hi-lo):
		case <-stop:
			return
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
// (and formatting each time and decimal again) was most of the cost of
// building a row. A nil *rowBoxes formats and boxes every value.
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
