package db

import (
	"context"
	"database/sql"
	"fmt"
	"sync"

	"github.com/ballast-oms/ballast/order"
)

// maxBatch bounds how many callers share one SQLite transaction.
const maxBatch = 128

// group is the OrderStore's group commit. SQLite has one writer, and most of
// a small transaction's cost is its commit (writing the WAL frames), so
// callers that arrive while a transaction is running wait, and the next
// transaction runs all of them, each inside its own SAVEPOINT: a caller whose
// fn fails is rolled back to its savepoint alone, the others commit
// together. Every caller returns only after the commit that holds its
// writes (or with the commit's error, when none of them were written). A
// lone caller gets a transaction of its own at once, as without the group.
type group struct {
	mu      sync.Mutex
	queue   []*call
	running bool
}

// call is one caller's fn waiting to run.
type call struct {
	ctx  context.Context
	fn   func(order.Tx) error
	done chan error
	// stream marks a ProposeStream transaction (InStreamTx): it is
	// committed alone, with SQLite's foreign key lookups off.
	stream bool
}

// run queues fn; the first caller to find no batch running becomes the
// leader and runs batches until the queue is empty.
func (g *group) run(ctx context.Context, fn func(order.Tx) error, commit func([]*call)) error {
	return g.runCall(&call{ctx: ctx, fn: fn, done: make(chan error, 1)}, commit)
}

// runCall is run for a call made by the caller. A stream call is a batch of
// its own.
func (g *group) runCall(c *call, commit func([]*call)) error {
	g.mu.Lock()
	g.queue = append(g.queue, c)
	lead := !g.running
	g.running = true
	g.mu.Unlock()
	if lead {
		for {
			g.mu.Lock()
			n := min(len(g.queue), maxBatch)
			for i, q := range g.queue[:n] {
				if q.stream {
					n = max(i, 1) // the calls before it, or it alone
					break
				}
			}
			batch := g.queue[:n:n]
			g.queue = g.queue[n:]
			if n == 0 {
				g.running = false
				g.mu.Unlock()
				break
			}
			g.mu.Unlock()
			commit(batch)
		}
	}
	return <-c.done
}

// commitBatch runs a batch of calls in one writer transaction, each in a
// savepoint, commits, and tells each caller its outcome.
func (s *OrderStore) commitBatch(batch []*call) {
	errs := make([]error, len(batch))
	st := &stmtSet{m: map[string]*sql.Stmt{}}
	// The transaction belongs to the whole batch: no one caller's
	// cancellation may roll back the others' writes.
	ctx := context.Background()
	inTx := s.d.inTx
	stream := len(batch) == 1 && batch[0].stream
	var conn *sql.Conn // the stream transaction's connection
	if stream {
		inTx = func(ctx context.Context, fn func(*sql.Tx) error) error {
			return s.d.inTxRefsChecked(ctx, func(c *sql.Conn, tx *sql.Tx) error {
				conn = c
				return fn(tx)
			})
		}
	}
	err := inTx(ctx, func(tx *sql.Tx) error {
		s.carry.begin(ctx, &orderTx{s: s, tx: tx, st: st})
		if len(batch) == 1 {
			// A lone caller owns the whole transaction: when its fn fails,
			// rolling the transaction back undoes it, so it needs no savepoint
			// (whose journal copies every page the booking touches).
			if errs[0] = runAlone(batch[0], &orderTx{s: s, tx: tx, conn: conn, st: st, c: s.carry.txCache()}); errs[0] != nil {
				return errs[0]
			}
		} else {
			for i, c := range batch {
				var fatal error
				if errs[i], fatal = s.runSaved(c, tx, st); fatal != nil {
					return fatal
				}
				if errs[i] != nil {
					s.carry.fresh() // the rolled-back caller may have left rows in it
				}
			}
		}
		s.carry.end(ctx, &orderTx{s: s, tx: tx, st: st})
		return nil
	})
	if err == nil && !stream {
		s.carry.committed()
	} else {
		// A stream transaction's connection may have been discarded
		// (inTxRefsChecked), and a carry is only as good as the change
		// counters of the connection it was kept on.
		s.carry.fresh()
	}
	s.prepareLater(ctx, st.fresh)
	for i, c := range batch {
		if err != nil && errs[i] == nil {
			errs[i] = err
		}
		c.done <- errs[i]
	}
}

// runSaved runs one call's fn inside a savepoint of tx and rolls back to it
// when fn fails. fatal is a savepoint that could not be set, undone or
// released: then the whole batch must not commit.
func (s *OrderStore) runSaved(c *call, tx *sql.Tx, st *stmtSet) (err, fatal error) {
	if err := c.ctx.Err(); err != nil {
		return err, nil
	}
	bg := context.Background()
	if _, err := tx.ExecContext(bg, "SAVEPOINT booking"); err != nil {
		return nil, fmt.Errorf("db: savepoint: %w", err)
	}
	err = runFn(c, &orderTx{s: s, tx: tx, st: st, c: s.carry.txCache()})
	if err != nil {
		if _, rerr := tx.ExecContext(bg, "ROLLBACK TO booking"); rerr != nil {
			return err, fmt.Errorf("db: rollback to savepoint: %w", rerr)
		}
	}
	if _, rerr := tx.ExecContext(bg, "RELEASE booking"); rerr != nil {
		return err, fmt.Errorf("db: release savepoint: %w", rerr)
	}
	return err, nil
}

// runAlone runs the one call of a batch directly in the transaction.
func runAlone(c *call, t *orderTx) error {
	if err := c.ctx.Err(); err != nil {
		return err
	}
	return runFn(c, t)
}

// runFn runs c.fn and, when it succeeds, writes what it left in t's memory.
func runFn(c *call, t *orderTx) error {
	if err := callFn(c, t); err != nil {
		return err
	}
	return t.flush(context.Background())
}

// callFn runs c.fn, turning a panic into an error so that one caller's bug
// is rolled back alone and never strands the others waiting in the batch.
func callFn(c *call, t *orderTx) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("db: transaction panicked: %v", v)
		}
	}()
	return c.fn(t)
}
