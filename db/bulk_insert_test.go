package db

import (
	"context"
	"database/sql"
	"reflect"
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
	p := compact(vals, 5, 3)
	if p.same != 0b01100 {
		t.Fatalf("same = %b, want 1100 (the string and the NULL column; a float is never shared)", p.same)
	}
	want := []any{"same", nil, int64(1), "a", 1.5, int64(2), "b", 1.5, int64(3), "c", 1.5}
	if !reflect.DeepEqual(p.args, want) {
		t.Fatalf("args = %v, want %v", p.args, want)
	}
	got := bulkSQL("t", []string{"id", "name", "kind", "gone", "x"}, p.same, 2)
	if w := "INSERT INTO t (kind, gone, id, name, x) VALUES (?1, ?2, ?, ?, ?), (?1, ?2, ?, ?, ?)"; got != w {
		t.Fatalf("sql = %q, want %q", got, w)
	}
}

func TestInsertBulkWritesEveryRowInOrder(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	for _, n := range []int{0, 1, batchRows - 1, batchRows, 3*batchRows + 5} {
		err := d.inTx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, `CREATE TEMP TABLE IF NOT EXISTS bulk (id INTEGER PRIMARY KEY, k TEXT, v TEXT, n INTEGER)`); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM bulk`); err != nil {
				return err
			}
			err := insertBulk(ctx, tx, "bulk", []string{"k", "v", "n"}, n, func(i int, dst []any) []any {
				k := "even"
				if i%2 == 1 || i > batchRows {
					k = "odd"
				}
				return append(dst, k, "same", int64(i))
			})
			if err != nil {
				return err
			}
			rows, err := tx.QueryContext(ctx, `SELECT id, k, v, n FROM bulk ORDER BY id`)
			if err != nil {
				return err
			}
			defer rows.Close()
			i := 0
			for rows.Next() {
				var id, got int64
				var k, v string
				if err := rows.Scan(&id, &k, &v, &got); err != nil {
					return err
				}
				if got != int64(i) || v != "same" || id != int64(i+1) {
					t.Errorf("n=%d row %d: id %d k %s v %s n %d", n, i, id, k, v, got)
				}
				i++
			}
			if i != n {
				t.Errorf("n=%d: %d rows written", n, i)
			}
			return rows.Err()
		})
		if err != nil {
			t.Fatalf("n=%d: %v", n, err)
		}
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
		func(o *order.Order) { o.AmendedBy, o.BlockID, o.Notes = "trader", 7, "" },
		func(o *order.Order) { o.Portfolio, o.Side = "P2", portfolio.Sell },
	}
	b := newRowBoxes(len(orderWriteColumns))
	var row []any
	for round := range 3 {
		for i, edit := range edits {
			o := base
			edit(&o)
			row = appendOrderValues(row[:0], o, b)
			if want := orderValues(o); !reflect.DeepEqual(row, want) {
				t.Fatalf("round %d, order %d: boxed %v, want %v", round, i, row, want)
			}
		}
	}
}
