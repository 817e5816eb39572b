package db

import (
	"context"
	"fmt"
	"testing"

	"github.com/ballast-oms/ballast/rebalance"
)

// TestLoadBookPlansLikeMemory loads a synthetic book and checks that planning
// it from the database gives exactly the plans of the book in memory.
func TestLoadBookPlansLikeMemory(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	book := rebalance.Synthetic(25, 12, 7)
	if err := d.LoadBook(ctx, book); err != nil {
		t.Fatal(err)
	}
	inputs, none, err := d.RebalanceInputs(ctx, nil)
	if err != nil || len(inputs) != len(book) || len(none) != 0 {
		t.Fatalf("RebalanceInputs: %d inputs, %v skipped, %v", len(inputs), none, err)
	}
	opts := rebalance.Options{CollarBps: 25}
	want, errs := rebalance.PlanAll(book, opts, 1)
	if errs != nil {
		t.Fatal(errs)
	}
	got, errs := rebalance.PlanAll(inputs, opts, 1)
	if errs != nil {
		t.Fatal(errs)
	}
	if rebalance.CountTrades(want) == 0 {
		t.Fatal("the synthetic book has nothing to trade")
	}
	for i := range want {
		if g, w := fmt.Sprint(got[i].Trades, got[i].CashAfter), fmt.Sprint(want[i].Trades, want[i].CashAfter); g != w {
			t.Fatalf("%s planned from the database:\n%s\nin memory:\n%s", book[i].Holdings.Portfolio.Code, g, w)
		}
	}
}
