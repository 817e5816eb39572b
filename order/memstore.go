package order

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/portfolio"
)

// MemStore is an in-memory Store for tests and benchmarks. It honours the
// same rules as the SQL store: transactions are all or nothing (writes are
// undone when fn fails), one at a time, executions are unique per ExecKey and
// ClOrdIDs per block chain, and the audit trail, compliance checks and
// overrides are append-only.
type MemStore struct {
	mu         sync.Mutex
	securities map[string]portfolio.Security
	orders     map[int64]Order
	blocks     map[int64]Block
	clOrdIDs   map[string]int64
	execs      map[ExecKey]Execution
	allocs     map[[2]int64]AllocationRecord // (block, order)
	positions  map[[2]string]portfolio.Position
	cash       map[string]decimal.Decimal
	events     []Event
	lastID     int64
	checks     []CheckRecord // compliance checks, append-only
	overrides  []Override    // compliance overrides, append-only
}

// NewMemStore returns an empty store that knows securities.
func NewMemStore(securities ...portfolio.Security) *MemStore {
	m := &MemStore{securities: map[string]portfolio.Security{}, orders: map[int64]Order{}, blocks: map[int64]Block{},
		clOrdIDs: map[string]int64{}, execs: map[ExecKey]Execution{}, allocs: map[[2]int64]AllocationRecord{},
		positions: map[[2]string]portfolio.Position{}, cash: map[string]decimal.Decimal{}}
	for _, s := range securities {
		m.securities[s.Symbol] = s
	}
	return m
}

// InTx runs fn under the store's lock and undoes its writes if it fails.
func (m *MemStore) InTx(ctx context.Context, fn func(Tx) error) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return err
	}
	tx := &memTx{m: m}
	if err := fn(tx); err != nil {
		for i := len(tx.undo) - 1; i >= 0; i-- {
			tx.undo[i]()
		}
		return err
	}
	return nil
}

// Events returns a copy of the audit trail.
func (m *MemStore) Events() []Event {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Event(nil), m.events...)
}

type memTx struct {
	m    *MemStore
	undo []func()
}

// put sets k to v in mp and records how to undo it.
func put[K comparable, V any](tx *memTx, mp map[K]V, k K, v V) {
	old, had := mp[k]
	tx.undo = append(tx.undo, func() {
		if had {
			mp[k] = old
		} else {
			delete(mp, k)
		}
	})
	mp[k] = v
}

func (tx *memTx) nextID() int64 {
	tx.m.lastID++
	tx.undo = append(tx.undo, func() { tx.m.lastID-- })
	return tx.m.lastID
}

func notFound(what string, key any) error { return fmt.Errorf("%s %v: %w", what, key, ErrNotFound) }

func (tx *memTx) Security(_ context.Context, symbol string) (portfolio.Security, error) {
	s, ok := tx.m.securities[symbol]
	if !ok {
		return s, notFound("security", symbol)
	}
	return s, nil
}

func (tx *memTx) InsertOrder(_ context.Context, o Order) (int64, error) {
	o.ID = tx.nextID()
	put(tx, tx.m.orders, o.ID, o)
	return o.ID, nil
}

func (tx *memTx) Order(_ context.Context, id int64) (Order, error) {
	o, ok := tx.m.orders[id]
	if !ok {
		return o, notFound("order", id)
	}
	return o, nil
}

func (tx *memTx) UpdateOrder(_ context.Context, o Order) error {
	if _, ok := tx.m.orders[o.ID]; !ok {
		return notFound("order", o.ID)
	}
	put(tx, tx.m.orders, o.ID, o)
	return nil
}

func (tx *memTx) OrdersExpiring(_ context.Context, statuses []Status, at time.Time) ([]Order, error) {
	var out []Order
	for _, o := range tx.m.orders {
		if !o.ExpiresAt.After(at) && slices.Contains(statuses, o.Status) {
			out = append(out, o)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

func (tx *memTx) BlockOrders(_ context.Context, blockID int64) ([]Order, error) {
	var out []Order
	for _, o := range tx.m.orders {
		if o.BlockID == blockID {
			out = append(out, o)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

func (tx *memTx) InsertBlock(_ context.Context, b Block) (int64, error) {
	b.ID = tx.nextID()
	put(tx, tx.m.blocks, b.ID, b)
	return b.ID, nil
}

func (tx *memTx) Block(_ context.Context, id int64) (Block, error) {
	b, ok := tx.m.blocks[id]
	if !ok {
		return b, notFound("block", id)
	}
	return b, nil
}

func (tx *memTx) UpdateBlock(_ context.Context, b Block) error {
	if _, ok := tx.m.blocks[b.ID]; !ok {
		return notFound("block", b.ID)
	}
	put(tx, tx.m.blocks, b.ID, b)
	return nil
}

func (tx *memTx) LinkClOrdID(_ context.Context, clOrdID string, blockID int64) error {
	if id, ok := tx.m.clOrdIDs[clOrdID]; ok && id != blockID {
		return fmt.Errorf("ClOrdID %s belongs to block %d: %w", clOrdID, id, ErrConflict)
	}
	put(tx, tx.m.clOrdIDs, clOrdID, blockID)
	return nil
}

func (tx *memTx) BlockByClOrdID(ctx context.Context, clOrdID string) (Block, error) {
	id, ok := tx.m.clOrdIDs[clOrdID]
	if !ok {
		return Block{}, notFound("ClOrdID", clOrdID)
	}
	return tx.Block(ctx, id)
}

func (tx *memTx) InsertExecution(_ context.Context, e Execution) error {
	if _, ok := tx.m.execs[e.Key]; ok {
		return fmt.Errorf("execution %v: %w", e.Key, ErrDuplicate)
	}
	put(tx, tx.m.execs, e.Key, e)
	return nil
}

func (tx *memTx) Execution(_ context.Context, key ExecKey) (Execution, error) {
	e, ok := tx.m.execs[key]
	if !ok {
		return e, notFound("execution", key)
	}
	return e, nil
}

func (tx *memTx) SetFillState(_ context.Context, key ExecKey, s FillState) error {
	e, ok := tx.m.execs[key]
	if !ok {
		return notFound("execution", key)
	}
	e.State = s
	put(tx, tx.m.execs, key, e)
	return nil
}

func (tx *memTx) Allocations(_ context.Context, blockID int64) ([]AllocationRecord, error) {
	var out []AllocationRecord
	for k, a := range tx.m.allocs {
		if k[0] == blockID {
			out = append(out, a)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].OrderID < out[j].OrderID })
	return out, nil
}

func (tx *memTx) SaveAllocation(_ context.Context, a AllocationRecord) error {
	put(tx, tx.m.allocs, [2]int64{a.BlockID, a.OrderID}, a)
	return nil
}

func (tx *memTx) Position(_ context.Context, pf, symbol string) (portfolio.Position, error) {
	p, ok := tx.m.positions[[2]string{pf, symbol}]
	if !ok {
		return portfolio.Position{Portfolio: pf, Symbol: symbol}, nil
	}
	return p, nil
}

func (tx *memTx) SavePosition(_ context.Context, p portfolio.Position) error {
	put(tx, tx.m.positions, [2]string{p.Portfolio, p.Symbol}, p)
	return nil
}

func (tx *memTx) Cash(_ context.Context, pf string) (decimal.Decimal, error) {
	return tx.m.cash[pf], nil
}

func (tx *memTx) SaveCash(_ context.Context, pf string, cash decimal.Decimal) error {
	put(tx, tx.m.cash, pf, cash)
	return nil
}

func (tx *memTx) AppendEvent(_ context.Context, e Event) error {
	e.ID = int64(len(tx.m.events) + 1)
	n := len(tx.m.events)
	tx.m.events = append(tx.m.events, e)
	tx.undo = append(tx.undo, func() { tx.m.events = tx.m.events[:n] })
	return nil
}
