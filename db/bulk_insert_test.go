package db

import (
	"context"
	"database/sql"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ballast-oms/ballast/order"
	"github.com/ballast-oms/ballast/portfolio"
	"github.com/shopspring/decimal"
)

func TestCompactBindsRepeatedColumnsOnce(t *testing.T) {
	vals := []any{
		int64(1), "a", "same", nil, 1.5,
		int64(2), "b", "same", nil, 1.5,
		int64(3), "c", "same", nil, 1.5,
	}
	p, err := compact(vals, 5, 3)
	if err != nil {
		t.Fatal(err)
	}
	if p.same != 0b01100 {
		t.Fatalf("same = %b, want 1100 (the string and the NULL column; a float is never shared)", p.same)
	}
	want := []any{"same", nil, int64(1), "a", 1.5, int64(2), "b", 1.5, int64(3), "c", 1.5}
	if len(p.args) != len(want) {
		t.Fatalf("%d args, want %d", len(p.args), len(want))
	}
	for i, a := range p.args {
		if a.Ordinal != i+1 || a.Name != "" || !reflect.DeepEqual(a.Value, want[i]) {
			t.Fatalf("arg %d = %+v, want ordinal %d value %v", i, a, i+1, want[i])
		}
	}
	got := bulkSQL("t", []string{"id", "name", "kind", "gone", "x"}, p.same, 2)
	if w := "INSERT INTO t (kind, gone, id, name, x) VALUES (?1, ?2, ?, ?, ?), (?1, ?2, ?, ?, ?)"; got != w {
		t.Fatalf("sql = %q, want %q", got, w)
	}
}

func TestInsertBulkWritesEveryRowInOrder(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	for _, path := range bulkPaths(d) {
		for _, n := range []int{0, 1, batchRows - 1, batchRows, 3*batchRows + 5} {
			// Three tables in one insertBulk: the second has no rows, the third
			// twice as many as the first, so parts of every size follow each other.
			sizes := map[string]int{"bulk_a": n, "bulk_b": 0, "bulk_c": 2*n + 1}
			err := path.inTx(ctx, func(insert bulkInsert, tx *sql.Tx) error {
				var tables []bulkTable
				for _, name := range []string{"bulk_a", "bulk_b", "bulk_c"} {
					if _, err := tx.ExecContext(ctx, `CREATE TEMP TABLE IF NOT EXISTS `+name+` (id INTEGER PRIMARY KEY, k TEXT, v TEXT, n INTEGER)`); err != nil {
						return err
					}
					if _, err := tx.ExecContext(ctx, `DELETE FROM `+name); err != nil {
						return err
					}
					tables = append(tables, bulkTable{name: name, cols: []string{"k", "v", "n"}, n: sizes[name],
						row: func(i int, dst []any) []any { return append(dst, bulkKind(i), name, int64(i)) }})
				}
				if err := insert(ctx, tables...); err != nil {
					return err
				}
				for name, size := range sizes {
					rows, err := tx.QueryContext(ctx, `SELECT id, k, v, n FROM `+name+` ORDER BY id`)
					if err != nil {
						return err
					}
					i := 0
					for rows.Next() {
						var id, got int64
						var k, v string
						if err := rows.Scan(&id, &k, &v, &got); err != nil {
							rows.Close()
							return err
						}
						if got != int64(i) || v != name || k != bulkKind(i) || id != int64(i+1) {
							t.Errorf("%s n=%d row %d: id %d k %s v %s n %d", name, size, i, id, k, v, got)
						}
						i++
					}
					rows.Close()
					if i != size {
						t.Errorf("%s: %d rows written, want %d", name, i, size)
					}
					if err := rows.Err(); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatalf("%s, n=%d: %v", path.name, n, err)
			}
		}
	}
}

// bulkInsert is insertBulk or insertBulkConn on the transaction open.
type bulkInsert func(ctx context.Context, tables ...bulkTable) error

// bulkPath is a way to run a bulk insert: through database/sql's
// transaction (insertBulk) or on the driver's connection beneath it
// (insertBulkConn, a stream transaction's).
type bulkPath struct {
	name string
	inTx func(ctx context.Context, fn func(bulkInsert, *sql.Tx) error) error
}

func bulkPaths(d *DB) []bulkPath {
	return []bulkPath{{"database/sql", func(ctx context.Context, fn func(bulkInsert, *sql.Tx) error) error {
		return d.inTx(ctx, func(tx *sql.Tx) error {
			return fn(func(ctx context.Context, tables ...bulkTable) error { return insertBulk(ctx, tx, tables...) }, tx)
		})
	}}, {"driver", func(ctx context.Context, fn func(bulkInsert, *sql.Tx) error) error {
		return d.inTxRefsChecked(ctx, func(conn *sql.Conn, tx *sql.Tx) error {
			return fn(func(ctx context.Context, tables ...bulkTable) error { return insertBulkConn(ctx, conn, tables...) }, tx)
		})
	}}}
}

// bulkKind is row i's k in TestInsertBulkWritesEveryRowInOrder: "even" for
// the even rows of the first statements, "odd" for every other row, so that
// k is bound row by row in the first statement and once in the later ones.
func bulkKind(i int) string {
	if i%2 == 1 || i > batchRows {
		return "odd"
	}
	return "even"
}

// TestInsertBulkNamesTheFailingTable checks that a failure stops the
// insert and says which table failed, after the rows of the tables before.
func TestInsertBulkNamesTheFailingTable(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	for _, path := range bulkPaths(d) {
		err := path.inTx(ctx, func(insert bulkInsert, tx *sql.Tx) error {
			for _, q := range []string{`DROP TABLE IF EXISTS temp.bulk_ok`, `DROP TABLE IF EXISTS temp.bulk_bad`,
				`CREATE TEMP TABLE bulk_ok (n INTEGER)`, `CREATE TEMP TABLE bulk_bad (n INTEGER CHECK (n < 70))`} {
				if _, err := tx.ExecContext(ctx, q); err != nil {
					return err
				}
			}
			row := func(i int, dst []any) []any { return append(dst, int64(i)) }
			err := insert(ctx, bulkTable{name: "bulk_ok", cols: []string{"n"}, n: 100, row: row},
				bulkTable{name: "bulk_bad", cols: []string{"n"}, n: 200, row: row},
				bulkTable{name: "bulk_ok", cols: []string{"n"}, n: 5, row: row})
			var be *bulkError
			if !errors.As(err, &be) || be.table != "bulk_bad" || !isCheckViolation(err) {
				t.Fatalf("%s: err = %v, want a CHECK failure in bulk_bad", path.name, err)
			}
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM bulk_ok`).Scan(&n); err != nil {
				return err
			}
			if n != 100 {
				t.Errorf("%s: bulk_ok has %d rows after the failure, want the 100 written before it", path.name, n)
			}
			// A value neither the driver nor database/sql takes stops the
			// insert before its part, naming the table.
			err = insert(ctx, bulkTable{name: "bulk_ok", cols: []string{"n"}, n: 3 * batchRows, row: func(i int, dst []any) []any {
				if i == batchRows+1 {
					return append(dst, struct{}{})
				}
				return append(dst, int64(i))
			}})
			if !errors.As(err, &be) || be.table != "bulk_ok" || !strings.Contains(err.Error(), "struct") {
				t.Fatalf("%s: err = %v, want the bad value in bulk_ok", path.name, err)
			}
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM bulk_ok`).Scan(&n); err != nil {
				return err
			}
			if n != 100+batchRows {
				t.Errorf("%s: bulk_ok has %d rows after the bad value, want %d", path.name, n, 100+batchRows)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestCompactConvertsAsDatabaseSQLWould(t *testing.T) {
	p, err := compact([]any{7, int32(8), uint8(9), "x"}, 4, 1)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []any{int64(7), int64(8), int64(9), "x"} {
		if got := p.args[i].Value; got != want {
			t.Errorf("arg %d = %#v, want %#v", i, got, want)
		}
	}
	if _, err := compact([]any{int64(1), map[string]int{}}, 2, 1); err == nil {
		t.Error("a map was taken as a value")
	}
}

// TestRowBoxesMatchPlainValues builds a run of orders whose values repeat,
// change back and forth, and switch between set and unset (times, decimals,
// NULLs) with one rowBoxes, as a bulk insert does, and checks every row
// against the plain orderValues.
func TestRowBoxesMatchPlainValues(t *testing.T) {
	t0 := time.Date(2026, 11, 21, 23, 44, 29, 992809000, time.UTC)
	later := t0.Add(time.Microsecond)
	base := order.Order{ProposalID: 2, Portfolio: "P1", Symbol: "AAA", Side: portfolio.Buy, Quantity: decimal.RequireFromString("29"),
		Type: order.Limit, LimitPrice: decimal.RequireFromString("498.12"), TimeInForce: order.Day, Notes: "underweight",
		ProposedBy: "pm", Status: order.Ready, CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
	edits := []func(o *order.Order){
		func(o *order.Order) {},
		func(o *order.Order) { o.Symbol, o.Quantity = "BBB", decimal.RequireFromString("0.00") },
		func(o *order.Order) { o.ExpiresAt = time.Time{} }, // unset, after a set time in the same column
		func(o *order.Order) { o.ExpireDate = t0 },         // a time, after "" in the same column
		func(o *order.Order) { o.ExpireDate, o.ExpiresAt = time.Time{}, time.Time{} },
		func(o *order.Order) { o.CreatedAt = later.In(time.FixedZone("x", 3600)) },
		func(o *order.Order) {
			o.AvgPx, o.FilledQty = decimal.RequireFromString("1.50"), decimal.RequireFromString("-0")
		},
		func(o *order.Order) { o.AmendedBy, o.BlockID, o.Notes, o.Amendments = "trader", 7, "", 2 },
		func(o *order.Order) { o.Portfolio, o.Side = "P2", portfolio.Sell },
	}
	b := newRowBoxes(len(orderWriteColumns))
	var row []any
	for round := range 3 {
		for i, edit := range edits {
			o := base
			edit(&o)
			row = appendOrderValues(row[:0], o, b)
			if want := plainOrderValues(o); !reflect.DeepEqual(row, want) {
				t.Fatalf("round %d, order %d: boxed %v, want %v", round, i, row, want)
			}
			if plain := orderValues(o); !reflect.DeepEqual(plain, plainOrderValues(o)) {
				t.Fatalf("round %d, order %d: orderValues %v, want %v", round, i, plain, plainOrderValues(o))
			}
		}
	}
}

// plainOrderValues is an order's stored values written out plainly, as
// orderValues wrote them before rowBoxes: the reference the boxed rows must
// match.
func plainOrderValues(o order.Order) []any {
	return []any{o.ProposalID, o.Portfolio, o.Symbol, string(o.Side), o.Quantity.String(), string(o.Type), o.LimitPrice.String(),
		o.StopPrice.String(), string(o.TimeInForce), fmtOptTime(o.ExpireDate), o.Broker, o.Notes, o.ProposedBy,
		nullString(o.AmendedBy), nullString(o.ApprovedBy), o.Override, string(o.Status), o.FilledQty.String(),
		o.AvgPx.String(), formatTime(o.CreatedAt), fmtOptTime(o.ExpiresAt), nullID(o.BlockID), int64(o.Amendments)}
}
