package db

import (
	"context"
	"errors"
	"testing"

	"github.com/ballast-oms/ballast/order"
)

// TestBlockDetailAndChain reads a block's report data and its ClOrdID chain;
// a missing block is not found.
func TestBlockDetailAndChain(t *testing.T) {
	d := openTest(t)
	seedSmall(t, d)
	mustExec(t, d, `INSERT INTO blocks (id, symbol, side, order_type, time_in_force, broker, status, order_qty, created_by, created_at)
		VALUES (7, 'BBB', 'buy', 'market', 'day', 'SIM', 'sent', '300', 'trader', '2026-03-02T09:00:00.000000Z')`)
	mustExec(t, d, `INSERT INTO cl_ord_ids (cl_ord_id, block_id) VALUES ('Z9', 7), ('A1', 7)`)
	mustExec(t, d, `INSERT INTO audit_events (at, actor, action, block_id) VALUES ('2026-03-02T09:00:00.000000Z', 'trader', 'release', 7)`)
	s := NewOrderStore(d)
	ctx := context.Background()
	det, err := s.BlockDetail(ctx, 7)
	if err != nil {
		t.Fatal(err)
	}
	if det.Block == nil || det.Block.ID != 7 || det.Block.Totals.OrderQty.String() != "300" || len(det.Events) != 1 || det.Order.ID != 0 {
		t.Errorf("detail %+v", det)
	}
	chain, err := s.ClOrdIDs(ctx, 7)
	if err != nil || len(chain) != 2 || chain[0] != "Z9" || chain[1] != "A1" {
		t.Errorf("chain %v, %v; want Z9 then A1, in the order issued", chain, err)
	}
	if _, err := s.BlockDetail(ctx, 8); !errors.Is(err, order.ErrNotFound) || !errors.Is(err, ErrNotFound) {
		t.Errorf("missing block: %v", err)
	}
}
