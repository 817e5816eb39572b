package db

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/ballast-oms/ballast/trigger"
)

// BenchmarkSaveTriggerResult stores what one batch of the `bench triggers`
// walk typically changes: 1,500 trailing highs (one transaction, upserts of
// condition_highs) over a book of 2,000 stored conditions.
func BenchmarkSaveTriggerResult(b *testing.B) {
	ctx := context.Background()
	d, err := Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	mustExecB(b, d, `INSERT INTO securities (symbol, name, issuer, currency, asset_class, lot_size) VALUES ('AAA', 'A', 'A', 'USD', 'equity', '1')`)
	mustExecB(b, d, `INSERT INTO portfolios (code, name, base_currency) VALUES ('P1', 'One', 'USD')`)
	const n, highs = 2000, 1500
	ids := make([]int64, n)
	for i := range ids {
		c := trigger.Condition{Portfolio: "P1", Symbol: "AAA", Kind: trigger.TrailingStop, Terms: trigger.Terms{Percent: dec("5"),
			ValidUntil: condT0.Add(time.Hour), OrderType: trigger.OrderMarket}, CreatedBy: "pm", ApprovedBy: "trader",
			State: trigger.Active, Version: 2, CreatedAt: condT0, UpdatedAt: condT0}
		c, err := d.InsertCondition(ctx, c, 0, ConditionEvent{Actor: "pm", Action: "condition_create"})
		if err != nil {
			b.Fatal(err)
		}
		ids[i] = c.ID
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := trigger.Result{Highs: make([]trigger.HighChange, highs)}
		for k := range r.Highs {
			r.Highs[k] = trigger.HighChange{ID: ids[(i*highs+k)%n], High: dec(fmt.Sprintf("%d.%02d", 100+i%50, k%100)), At: condT0}
		}
		if _, err := d.SaveTriggerResult(ctx, r); err != nil {
			b.Fatal(err)
		}
	}
}

func mustExecB(b *testing.B, d *DB, q string) {
	b.Helper()
	if _, err := d.Writer().Exec(q); err != nil {
		b.Fatal(err)
	}
}
