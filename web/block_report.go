package web

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"slices"

	"github.com/go-chi/chi/v5"
	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/order"
	"github.com/ballast-oms/ballast/user"
	"github.com/ballast-oms/ballast/web/views"
)

// BlockReports is what a block's allocation report reads besides
// OrderReader. The db package's *OrderStore satisfies it; the report pages
// exist when Config.Orders does.
type BlockReports interface {
	// BlockDetail returns a block with its audit events, executions (in
	// booking order) and allocations; Detail.Order is zero. A missing block
	// is an error matching order.ErrNotFound.
	BlockDetail(ctx context.Context, id int64) (order.Detail, error)
	// ClOrdIDs returns the block's ClOrdID chain, oldest first.
	ClOrdIDs(ctx context.Context, blockID int64) ([]string, error)
}

// blockReportMaxOrders bounds the orders one report reads.
const blockReportMaxOrders = 10000

// blockReports returns the order reader's report queries, or nil.
func (s *server) blockReports() BlockReports {
	br, _ := s.orders.(BlockReports)
	return br
}

// blockReportPages adds each block's allocation report and its CSV export
// for every desk role: like an order's detail page, it is the desk's record
// of what was traded for whom.
func (s *server) blockReportPages(r chi.Router) {
	if s.blockReports() == nil {
		return
	}
	r.Group(func(r chi.Router) {
		r.Use(s.requireRole(user.PM, user.Trader, user.Compliance, user.Admin))
		r.Get("/blocks/{id}", s.blockReportPage)
		r.Get("/blocks/{id}/allocations.csv", s.blockReportCSV)
	})
}

// blockReportAPI adds GET /api/v1/blocks/{id}: the allocation report as JSON.
func (s *server) blockReportAPI(r chi.Router) {
	if s.blockReports() == nil {
		return
	}
	r.Group(func(r chi.Router) {
		r.Use(s.apiRequireRole(user.PM, user.Trader, user.Compliance, user.Admin))
		r.Get("/blocks/{id}", s.apiBlockReport)
	})
}

// blockReportPage shows a block's allocation report.
func (s *server) blockReportPage(w http.ResponseWriter, r *http.Request) {
	v, err := s.loadBlockReport(r)
	if err != nil {
		s.fail(w, r, orderFault(err))
		return
	}
	s.render(w, r, s.page(r, fmt.Sprintf("Block %d allocation", v.Block.ID), "blotter"), views.BlockReportPage(v), nil)
}

// loadBlockReport reads the block in the URL and builds its report.
func (s *server) loadBlockReport(r *http.Request) (views.BlockReport, error) {
	id, err := idParam(r)
	if err != nil {
		return views.BlockReport{}, err
	}
	ctx := r.Context()
	br := s.blockReports()
	d, err := br.BlockDetail(ctx, id)
	if err != nil {
		return views.BlockReport{}, fmt.Errorf("web: block %d report: %w", id, err)
	}
	chain, err := br.ClOrdIDs(ctx, id)
	if err != nil {
		return views.BlockReport{}, fmt.Errorf("web: block %d report: %w", id, err)
	}
	lines, _, err := s.orders.Orders(ctx, order.Filter{BlockID: id, Limit: blockReportMaxOrders})
	if err != nil {
		return views.BlockReport{}, fmt.Errorf("web: block %d report: %w", id, err)
	}
	orders := make([]order.Order, len(lines))
	for i, l := range lines {
		orders[i] = l.Order
	}
	return buildBlockReport(*d.Block, orders, d.Allocations, d.Executions, chain), nil
}

// buildBlockReport puts a block's orders (those now in it), allocations and
// executions together. Each account's row shows its booked allocation at
// the block's average price; its odd lot is what is left of the allocation
// over whole lots. The allocation after each execution is worked out again
// with order.Allocate from the fills that counted after it, over the
// orders now in the block, as the booking does.
func buildBlockReport(b order.Block, orders []order.Order, allocs []order.AllocationRecord, execs []order.Execution, chain []string) views.BlockReport {
	v := views.BlockReport{Block: b, ClOrdIDs: chain}
	lot := b.LotSize
	if !lot.IsPositive() {
		lot = decimal.NewFromInt(1)
	}
	avg := b.Totals.AvgPx()
	booked := make(map[int64]order.AllocationRecord, len(allocs))
	for _, a := range allocs {
		booked[a.OrderID] = a
	}
	slices.SortFunc(orders, func(x, y order.Order) int { return cmp.Compare(x.ID, y.ID) })
	for _, o := range orders {
		v.Rows = append(v.Rows, allocationRow(o.ID, o.Portfolio, o.Quantity, o.Status, booked[o.ID], avg, lot))
		delete(booked, o.ID)
	}
	for _, a := range allocs { // allocated to an order that has left the block since
		if _, ok := booked[a.OrderID]; ok {
			row := allocationRow(a.OrderID, a.Portfolio, decimal.Zero, "", a, avg, lot)
			row.Left = true
			v.Rows = append(v.Rows, row)
		}
	}
	v.Total.Price = avg
	for _, row := range v.Rows {
		v.Total.Ordered = v.Total.Ordered.Add(row.Ordered)
		v.Total.Allocated = v.Total.Allocated.Add(row.Allocated)
		v.Total.OddLot = v.Total.OddLot.Add(row.OddLot)
		v.Total.Notional = v.Total.Notional.Add(row.Notional)
	}
	v.Balanced = v.Total.Allocated.Equal(b.Totals.CumQty)
	v.Executions = replayExecutions(execs, orders, lot)
	if len(v.Rows) > len(orders) { // keep one allocation per row
		for i := range v.Executions {
			v.Executions[i].Allocations = append(v.Executions[i].Allocations, make([]decimal.Decimal, len(v.Rows)-len(orders))...)
		}
	}
	return v
}

func allocationRow(id int64, pf string, ordered decimal.Decimal, st order.Status, a order.AllocationRecord, avg, lot decimal.Decimal) views.AllocationRow {
	price := avg
	if a.Quantity.IsPositive() && a.Price.IsPositive() {
		price = a.Price // what was booked; the block's average price when it was
	}
	return views.AllocationRow{OrderID: id, Portfolio: pf, Ordered: ordered, Allocated: a.Quantity, OddLot: a.Quantity.Mod(lot),
		Price: price, Notional: a.Quantity.Mul(price), Status: st}
}

// replayExecutions lists execs in booking order with the block's
// cumulative fills, average price and allocation to orders after each. A
// refused report changes nothing; a bust takes its fill out, a correction
// replaces it.
func replayExecutions(execs []order.Execution, orders []order.Order, lot decimal.Decimal) []views.ExecutionRow {
	legs := make([]order.Leg, 0, len(orders))
	ordered := decimal.Zero
	for _, o := range orders {
		if o.Quantity.IsPositive() {
			legs = append(legs, order.Leg{OrderID: o.ID, Portfolio: o.Portfolio, Ordered: o.Quantity})
			ordered = ordered.Add(o.Quantity)
		}
	}
	fills := map[string]order.RefFill{}
	var t order.Totals
	alloc := make([]decimal.Decimal, len(orders))
	out := make([]views.ExecutionRow, 0, len(execs))
	for _, e := range execs {
		row := views.ExecutionRow{ExecID: e.Key.ExecID, Kind: e.Kind, At: e.Report.TransactAt, Quantity: e.Quantity,
			Price: e.Price, State: e.State, RefExecID: e.RefExecID, Note: e.Refused}
		if row.At.IsZero() {
			row.At = e.Report.ReceivedAt
		}
		if row.Note == "" {
			row.Note = e.Discrepancy
		}
		if e.Refused == "" {
			row.Moved = applyFill(fills, &t, e)
		}
		if row.Moved {
			alloc = allocateAfter(legs, orders, t, ordered, lot)
		}
		row.CumQty, row.AvgPx, row.Allocations = t.CumQty, t.AvgPx(), slices.Clone(alloc)
		out = append(out, row)
	}
	return out
}

// applyFill adds e's fill to t, or takes out the fill a bust or correction
// reverses; it says whether the fills changed.
func applyFill(fills map[string]order.RefFill, t *order.Totals, e order.Execution) bool {
	moved := false
	if e.Kind == order.ExecBust || e.Kind == order.ExecCorrect {
		if ref, ok := fills[e.RefExecID]; ok {
			t.CumQty = t.CumQty.Sub(ref.Quantity)
			t.Notional = t.Notional.Sub(ref.Quantity.Mul(ref.Price))
			delete(fills, e.RefExecID)
			moved = true
		}
	}
	isFill := e.Kind == order.ExecFill || e.Kind == order.ExecPartialFill || e.Kind == order.ExecCorrect
	if isFill && e.Quantity.IsPositive() {
		fills[e.Key.ExecID] = order.RefFill{ExecID: e.Key.ExecID, Quantity: e.Quantity, Price: e.Price}
		t.CumQty = t.CumQty.Add(e.Quantity)
		t.Notional = t.Notional.Add(e.Quantity.Mul(e.Price))
		moved = true
	}
	return moved
}

// allocateAfter is each order's allocation of the cumulative fills t, in the
// order of orders (zero for an order without quantity, and for all when
// there is nothing to allocate to).
func allocateAfter(legs []order.Leg, orders []order.Order, t order.Totals, ordered, lot decimal.Decimal) []decimal.Decimal {
	out := make([]decimal.Decimal, len(orders))
	if len(legs) == 0 {
		return out
	}
	filled := decimal.Max(decimal.Min(t.CumQty, ordered), decimal.Zero)
	as, err := order.Allocate(legs, filled, lot, t.AvgPx())
	if err != nil {
		return out // cannot happen: legs are positive and filled is within what they ordered
	}
	byID := make(map[int64]decimal.Decimal, len(as))
	for _, a := range as {
		byID[a.OrderID] = a.Quantity
	}
	for i, o := range orders {
		out[i] = byID[o.ID]
	}
	return out
}
