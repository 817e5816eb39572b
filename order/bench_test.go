package order

import (
	"context"
	"fmt"
	"testing"

	"github.com/shopspring/decimal"
)

// BenchmarkBookExecution books partial fills of a three-account block through
// Service.BookExecution on the MemStore: each one dedupe lookup, execution
// row, block, allocation of the cumulative fill to three orders (reverse and
// rebook of each position and cash), order updates and audit events.
func BenchmarkBookExecution(b *testing.B) {
	dk := newDesk(b)
	ctx := context.Background()
	blk := dk.approvedBlock(b, "A", "B", "C")
	// Huge orders so the block never fills during the benchmark.
	_ = dk.store.InTx(ctx, func(tx Tx) error {
		orders, _ := tx.BlockOrders(ctx, blk.ID)
		for _, o := range orders {
			o.Quantity = decimal.New(1, 15)
			_ = tx.UpdateOrder(ctx, o)
		}
		blk.Totals.OrderQty = decimal.New(3, 15)
		return tx.UpdateBlock(ctx, blk)
	})
	if _, err := dk.svc.Release(ctx, trader, blk.ID); err != nil {
		b.Fatal(err)
	}
	reports := make([]ExecutionReport, b.N)
	for i := range reports {
		reports[i] = ExecutionReport{Session: "S", Broker: "SIM", Kind: ExecPartialFill, ExecID: fmt.Sprintf("e%d", i),
			ClOrdID: "C1", LastQty: decimal.NewFromInt(100 + int64(i%7)*50), LastPx: decimal.New(7250+int64(i%13), -2)}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := dk.svc.BookExecution(ctx, reports[i]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkApplyReport is the pure part alone: one fill applied to totals.
func BenchmarkApplyReport(b *testing.B) {
	t := Totals{OrderQty: decimal.New(1, 15)}
	r := ExecutionReport{Kind: ExecPartialFill, ExecID: "e", LastQty: decimal.NewFromInt(100), LastPx: decimal.RequireFromString("72.51")}
	st := Sent
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		a, err := ApplyReport(st, t, r, nil)
		if err != nil {
			b.Fatal(err)
		}
		st, t = a.Status, a.Totals
	}
}

// BenchmarkAllocate allocates a cumulative fill across 50 accounts.
func BenchmarkAllocate(b *testing.B) {
	legs := make([]Leg, 50)
	for i := range legs {
		legs[i] = Leg{OrderID: int64(i + 1), Portfolio: "P", Ordered: decimal.NewFromInt(int64(1000 + 37*i))}
	}
	filled, lot, px := decimal.NewFromInt(12345), decimal.NewFromInt(100), decimal.RequireFromString("10.5")
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := Allocate(legs, filled, lot, px); err != nil {
			b.Fatal(err)
		}
	}
}
