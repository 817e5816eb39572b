package web

import (
	"context"
	"io"
	"sync"

	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/order"
)

// OrderReader is what the blotter, order detail, audit pages and the order
// API read. The db package's *OrderStore satisfies it.
type OrderReader interface {
	Orders(ctx context.Context, f order.Filter) ([]order.Line, int, error)
	Blocks(ctx context.Context, f order.BlockFilter) ([]order.Block, error)
	OrderDetail(ctx context.Context, id int64) (order.Detail, error)
	AuditEvents(ctx context.Context, f order.AuditFilter) ([]order.Event, error)
	WriteAuditCSV(ctx context.Context, w io.Writer, f order.AuditFilter) error
}

// OrderActions is what traders and PMs do to orders and blocks; cmd/ballast
// implements it over order.Service (adding the compliance check at entry, the
// broker session check and the live-blotter notifications). Refusals match
// order.ErrForbidden, order.ErrConflict, order.ErrInvalid or order.ErrNotFound.
type OrderActions interface {
	// Enter proposes a manual order after running compliance on it, and
	// returns the stored order with the compliance result.
	Enter(ctx context.Context, actor order.Actor, o order.Order) (order.Order, order.Check, error)
	// Approve approves order id (four eyes; an order awaiting a compliance
	// override is refused until a compliance officer clears it).
	Approve(ctx context.Context, actor order.Actor, id int64) (order.Order, error)
	// BulkApprove approves each of ids; one error (or nil) per id.
	BulkApprove(ctx context.Context, actor order.Actor, ids []int64) []error
	// Cancel withdraws an order not yet released, or cancels it at the broker.
	Cancel(ctx context.Context, actor order.Actor, id int64, reason string) (order.Order, error)
	// Replace changes an order's quantity and limit price: an amendment (and
	// a new compliance check and approval) before release, a cancel/replace
	// of its block at the broker after.
	Replace(ctx context.Context, actor order.Actor, id int64, qty, limit decimal.Decimal) (order.Order, error)
	// CreateBlock gathers approved orders into a block for broker.
	CreateBlock(ctx context.Context, actor order.Actor, ids []int64, broker string) (order.Block, error)
	// Release sends an approved block to its broker.
	Release(ctx context.Context, actor order.Actor, blockID int64) (order.Block, error)
	// ReleaseBlocks sends approved blocks together (order.Service.ReleaseBlocks):
	// all are released or none is. A nil slice means none was; otherwise the
	// blocks come back, those whose send was refused rejected, and the error
	// (if any) joins those refusals.
	ReleaseBlocks(ctx context.Context, actor order.Actor, ids []int64) ([]order.Block, error)
	// CancelBlock withdraws an unreleased block or cancels it at the broker.
	CancelBlock(ctx context.Context, actor order.Actor, blockID int64, reason string) (order.Block, error)
	// ReplaceBlock asks the broker to change a working block's quantity and
	// limit price (a partial cancel when the quantity goes down); the
	// allocation to its orders follows the fills.
	ReplaceBlock(ctx context.Context, actor order.Actor, blockID int64, qty, limit decimal.Decimal) (order.Block, error)
	// Brokers lists the brokers a block may be routed to.
	Brokers() []string
}

// Change is one change to orders or blocks, pushed to live blotters.
type Change struct {
	What     string // "order", "block", "execution"
	OrderIDs []int64
	BlockID  int64
}

// Broadcaster fans changes out to the live blotters (server-sent events).
// Publishing never blocks: a subscriber too slow to keep up misses changes,
// and since each change only makes its blotter reload, it catches up on the
// next one.
type Broadcaster struct {
	mu   sync.Mutex
	subs map[chan Change]struct{}
	seq  uint64 // changes published so far
}

// NewBroadcaster returns a Broadcaster without subscribers.
func NewBroadcaster() *Broadcaster { return &Broadcaster{subs: map[chan Change]struct{}{}} }

// Publish tells every subscriber of c.
func (b *Broadcaster) Publish(c Change) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.seq++
	for ch := range b.subs {
		select {
		case ch <- c:
		default:
		}
	}
}

// Seq is how many changes were published so far. A page reads it before
// it reads the orders; its event stream, given that number, reports at once
// any change the page may have missed.
func (b *Broadcaster) Seq() uint64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.seq
}

// Subscribe returns a channel of changes and the function that ends the
// subscription.
func (b *Broadcaster) Subscribe() (<-chan Change, func()) {
	ch := make(chan Change, 16)
	b.mu.Lock()
	b.subs[ch] = struct{}{}
	b.mu.Unlock()
	return ch, func() {
		b.mu.Lock()
		delete(b.subs, ch)
		b.mu.Unlock()
	}
}
