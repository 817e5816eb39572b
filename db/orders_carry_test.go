package db

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/order"
	"github.com/ballast-oms/ballast/portfolio"
)

// readHoldings reads P1's cash and AAA position in an order transaction.
func readHoldings(t *testing.T, s *OrderStore) (decimal.Decimal, portfolio.Position) {
	t.Helper()
	var cash decimal.Decimal
	var pos portfolio.Position
	err := s.InTx(context.Background(), func(tx order.Tx) error {
		var err error
		if cash, err = tx.Cash(context.Background(), "P1"); err != nil {
			return err
		}
		pos, err = tx.Position(context.Background(), "P1", "AAA")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return cash, pos
}

// TestCarrySeesOtherWrites: positions and cash kept between order
// transactions are read again once anything else wrote to the database.
func TestCarrySeesOtherWrites(t *testing.T) {
	d := openTest(t)
	seedSmall(t, d)
	s := NewOrderStore(d)
	if cash, pos := readHoldings(t, s); cash.String() != "0" || pos.Quantity.String() != "10" {
		t.Fatalf("cash %s, AAA %s; want 0 and 10", cash, pos.Quantity)
	}
	mustExec(t, d, `UPDATE portfolios SET cash = '500' WHERE code = 'P1'`)
	mustExec(t, d, `UPDATE positions SET quantity = '70' WHERE portfolio = 'P1' AND symbol = 'AAA'`)
	if cash, pos := readHoldings(t, s); cash.String() != "500" || pos.Quantity.String() != "70" {
		t.Errorf("after another write: cash %s, AAA %s; want 500 and 70", cash, pos.Quantity)
	}
}

// TestCarryDropsRolledBackWrites: a caller that fails leaves nothing in what
// later transactions see, alone or in a batch.
func TestCarryDropsRolledBackWrites(t *testing.T) {
	d := openTest(t)
	seedSmall(t, d)
	s := NewOrderStore(d)
	ctx := context.Background()
	boom := errors.New("boom")
	add := func(n int64, fail bool) error {
		return s.InTx(ctx, func(tx order.Tx) error {
			cash, err := tx.Cash(ctx, "P1")
			if err != nil {
				return err
			}
			pos, err := tx.Position(ctx, "P1", "AAA")
			if err != nil {
				return err
			}
			pos.Quantity = pos.Quantity.Add(decimal.NewFromInt(n))
			if err := tx.SavePosition(ctx, pos); err != nil {
				return err
			}
			if err := tx.SaveCash(ctx, "P1", cash.Add(decimal.NewFromInt(n))); err != nil {
				return err
			}
			if fail {
				return boom
			}
			return nil
		})
	}
	if err := add(1000, true); !errors.Is(err, boom) {
		t.Fatalf("lone failing caller: %v", err)
	}
	var wg sync.WaitGroup
	for i := range 60 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i%3 == 0 {
				_ = add(1000, true)
			} else if err := add(1, false); err != nil {
				t.Errorf("call %d: %v", i, err)
			}
		}()
	}
	wg.Wait()
	cash, pos := readHoldings(t, s)
	if cash.String() != "40" || pos.Quantity.String() != "50" {
		t.Errorf("cash %s, AAA %s; want 40 and 50 (only the 40 calls that succeeded)", cash, pos.Quantity)
	}
	var stored string
	if err := d.Reader().QueryRow(`SELECT cash FROM portfolios WHERE code = 'P1'`).Scan(&stored); err != nil || stored != "40" {
		t.Errorf("stored cash %q (%v), want 40", stored, err)
	}
}
