package order

import (
	"context"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/portfolio"
)

// Block is approved orders of one security, side and price terms worked as
// one order at one broker. A single order is released as a block of one.
type Block struct {
	ID             int64
	Symbol         string
	Side           portfolio.Side
	Type           OrdType
	LimitPrice     decimal.Decimal
	StopPrice      decimal.Decimal
	TimeInForce    TimeInForce
	ExpireDate     time.Time
	Broker         string
	Account        string // FIX Account: the portfolio when it has one, else the Service's BlockAccount
	LotSize        decimal.Decimal
	Status         Status
	Totals         Totals // OrderQty is the quantity at the broker
	ClOrdID        string // last ClOrdID the broker accepted
	PendingClOrdID string // ClOrdID of a cancel or replace in flight
	BrokerID       string // the broker's OrderID
	CreatedBy      string
	CreatedAt      time.Time
	ReleasedAt     time.Time
}

// Execution is an execution report as Ballast booked (or refused) it.
type Execution struct {
	Key         ExecKey
	Kind        ExecKind
	RefExecID   string
	Quantity    decimal.Decimal // the fill's LastQty; zero for reports without a fill
	Price       decimal.Decimal // the fill's LastPx
	State       FillState       // live, busted or corrected for fills; empty otherwise
	Discrepancy string          // broker totals disagreeing with Ballast's
	Refused     string          // why it could not be applied (unknown order, refused transition…)
	Report      ExecutionReport
}

// AllocationRecord is the part of a block's fills given to one order, with
// what was booked into the order's position and cash for it.
type AllocationRecord struct {
	BlockID   int64
	OrderID   int64
	Portfolio string
	Quantity  decimal.Decimal
	Price     decimal.Decimal
	Booking   Booking // reversed when the allocation changes
}

// Event is one line of the append-only audit trail.
type Event struct {
	ID        int64 // set by the store
	At        time.Time
	Actor     string // user name, or "broker:NAME" for what a broker did
	Action    string // propose, approve, status, block, release, cancel, replace, execution…
	OrderID   int64
	BlockID   int64
	Portfolio string
	From, To  Status // for status changes
	Reason    string
	Details   string
}

// Store keeps orders, blocks, executions, allocations, positions, cash and
// the audit trail. InTx runs fn in one transaction: everything fn writes is
// committed together when it returns nil and nothing is when it returns an
// error.
type Store interface {
	InTx(ctx context.Context, fn func(tx Tx) error) error
}

// Tx is what the Service reads and writes inside one transaction. Lookups
// of a missing row return an error matching ErrNotFound, except Position and
// Cash which return zero.
type Tx interface {
	Security(ctx context.Context, symbol string) (portfolio.Security, error)

	InsertOrder(ctx context.Context, o Order) (int64, error)
	Order(ctx context.Context, id int64) (Order, error)
	UpdateOrder(ctx context.Context, o Order) error
	// OrdersExpiring lists, by id, the orders in any of statuses whose
	// ExpiresAt is at or before at.
	OrdersExpiring(ctx context.Context, statuses []Status, at time.Time) ([]Order, error)
	// BlockOrders lists the orders of a block by id.
	BlockOrders(ctx context.Context, blockID int64) ([]Order, error)

	InsertBlock(ctx context.Context, b Block) (int64, error)
	Block(ctx context.Context, id int64) (Block, error)
	UpdateBlock(ctx context.Context, b Block) error
	// LinkClOrdID maps one more ClOrdID of a block's chain to it (UNIQUE per clOrdID).
	LinkClOrdID(ctx context.Context, clOrdID string, blockID int64) error
	// BlockByClOrdID finds the block any ClOrdID of its chain belongs to.
	BlockByClOrdID(ctx context.Context, clOrdID string) (Block, error)

	// InsertExecution returns an error matching ErrDuplicate when its Key
	// exists: UNIQUE(session, block_id, exec_id).
	InsertExecution(ctx context.Context, e Execution) error
	Execution(ctx context.Context, key ExecKey) (Execution, error)
	SetFillState(ctx context.Context, key ExecKey, s FillState) error

	Allocations(ctx context.Context, blockID int64) ([]AllocationRecord, error)
	// SaveAllocation inserts or replaces the record for (BlockID, OrderID).
	SaveAllocation(ctx context.Context, a AllocationRecord) error

	Position(ctx context.Context, portfolio, symbol string) (portfolio.Position, error)
	SavePosition(ctx context.Context, p portfolio.Position) error
	Cash(ctx context.Context, portfolio string) (decimal.Decimal, error)
	SaveCash(ctx context.Context, portfolio string, cash decimal.Decimal) error

	// AppendEvent adds to the audit trail; there is no update or delete.
	AppendEvent(ctx context.Context, e Event) error
}
