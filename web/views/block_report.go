package views

import (
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/order"
)

// BlockReport is a block's allocation report: the block, what each account
// asked for and was given, and every execution with the allocation after it.
type BlockReport struct {
	Block    order.Block
	ClOrdIDs []string // the block's ClOrdID chain, oldest first
	Rows     []AllocationRow
	Total    AllocationRow // Ordered, Allocated, OddLot and Notional summed
	// Balanced says the allocations sum to the block's filled quantity.
	Balanced   bool
	Executions []ExecutionRow
}

// AllocationRow is one account's part of a block.
type AllocationRow struct {
	OrderID   int64
	Portfolio string
	Ordered   decimal.Decimal
	Allocated decimal.Decimal
	OddLot    decimal.Decimal // the part of Allocated that is not a whole lot
	Price     decimal.Decimal // the block's average price
	Notional  decimal.Decimal // Allocated × Price
	Status    order.Status
	Left      bool // the order has left the block since it was allocated
}

// ExecutionRow is one execution report of a block and the allocation of the
// block's cumulative fills after it.
type ExecutionRow struct {
	ExecID      string
	Kind        order.ExecKind
	At          time.Time // the broker's transaction time, else when Ballast received it
	Quantity    decimal.Decimal
	Price       decimal.Decimal
	State       order.FillState // live, busted or corrected for fills; empty otherwise
	RefExecID   string          // the fill a bust or correction reverses
	Note        string          // why it was refused, or how the broker's totals disagreed
	Moved       bool            // it changed the block's cumulative fills
	CumQty      decimal.Decimal // the block's cumulative fills after it
	AvgPx       decimal.Decimal
	Allocations []decimal.Decimal // after it, one per BlockReport.Rows
}

// Flag is the execution's busted or corrected mark, empty for a live fill
// and for reports without a fill.
func (e ExecutionRow) Flag() string {
	switch e.State {
	case order.FillBusted, order.FillCorrected:
		return string(e.State)
	}
	return ""
}

// BlockURL is the address of block id's allocation report.
func BlockURL(id int64) string { return "/blocks/" + ID(id) }

// chainText is the ClOrdID chain as "A → B → C".
func chainText(ids []string) string { return strings.Join(ids, " → ") }
