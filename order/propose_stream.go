package order

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"time"
)

// ProposalBatch is one part of a proposal saved by ProposeStream: proposals
// and their compliance findings (Results[i] for Proposals[i]).
type ProposalBatch struct {
	Proposals []Proposal
	Results   [][]ResultRecord
}

// ProposalTx is a Tx that records the proposal a stream of orders makes.
// ProposeStream creates the proposal in the transaction that writes its
// orders, so that the proposal and its orders are saved together or not at
// all (a crash or an interrupt mid-stream leaves no empty proposal).
type ProposalTx interface {
	// CreateProposal records a proposal by by, made at at, and returns its id.
	CreateProposal(ctx context.Context, by string, at time.Time) (int64, error)
	// SetProposalTotals sets proposal id's count of portfolios and of orders.
	SetProposalTotals(ctx context.Context, id int64, portfolios, orders int) error
}

// StreamTx is all a ProposeStream transaction does: insert orders with
// their audit events and compliance checks in bulk, and create the proposal
// and set its totals. It inserts only, and every order it inserts goes
// through InsertProposed, which checks each portfolio and security.
type StreamTx interface {
	BulkTx
	ProposalTx
	// ProposedRows returns a builder of the rows of proposed orders that
	// InsertRows inserts, numbered on from what the store holds now. Its
	// Build may run on another goroutine than the transaction's (one at
	// a time), ahead of the inserts; what it builds must be inserted in
	// the order it was built, and nothing else inserted meanwhile.
	ProposedRows(ctx context.Context) (RowBuilder, error)
	// InsertRows inserts rows as InsertProposed inserts its orders, their
	// events and their checks.
	InsertRows(ctx context.Context, rows ProposedRows) error
}

// RowBuilder turns InsertProposed's arguments into its store's rows.
type RowBuilder interface {
	Build(orders []Order, events []Event, owner []int, checks []CheckRecord) (ProposedRows, error)
}

// ProposedRows is a chunk of rows a RowBuilder built.
type ProposedRows interface {
	// Orders is how many orders the rows hold.
	Orders() int
}

// StreamStore is a Store with a transaction of its own for ProposeStream.
// As the transaction can do no more than StreamTx allows, the store may run
// it differently from InTx: SQLite's store checks the orders' references
// once per distinct portfolio and security of each call to InsertProposed instead of with a
// foreign key lookup per row. ProposeStream uses it when the Store has it.
type StreamStore interface {
	InStreamTx(ctx context.Context, fn func(StreamTx) error) error
}

// StreamTotals is what ProposeStream wrote.
type StreamTotals struct {
	ProposalID int64 // 0 when nothing was written
	Portfolios int   // distinct portfolios of the orders
	Orders     int
}

// ProposeStream is ProposeMany for a proposal that arrives in batches while
// it is being written (a rebalance of the whole book, planned and checked
// part by part on another goroutine): every batch is validated, moved through
// the transition table and written as ProposeMany does, and all batches go in
// one transaction, so the proposal is saved whole or not at all. An error
// yielded by batches, an invalid batch or a failed write rolls back every
// batch before it. The proposal is created with the first order in the
// same transaction (a stream of no orders creates none), every proposal's
// ProposalID is set to it, and its totals are set at the end; a Store whose
// Tx keeps no proposals (no ProposalTx) is refused. ProposeStream stops reading batches at its
// first error; the caller stops its producer (a context) when ProposeStream
// returns.
func (s *Service) ProposeStream(ctx context.Context, actor Actor, batches iter.Seq2[ProposalBatch, error]) (StreamTotals, error) {
	now := s.now()
	if err := validateProposals(actor, nil, nil, now); err != nil {
		return StreamTotals{}, err
	}
	var tot StreamTotals
	var err error
	if ss, ok := s.Store.(StreamStore); ok {
		err = ss.InStreamTx(ctx, func(tx StreamTx) error {
			return s.streamPrepared(ctx, actor, batches, now, &tot, tx)
		})
	} else {
		err = s.Store.InTx(ctx, func(tx Tx) error {
			write, err := s.proposer(ctx, tx, actor.Name, now)
			if err != nil {
				return err
			}
			pt, ok := tx.(ProposalTx)
			if !ok {
				return fmt.Errorf("order: propose: the store keeps no proposals")
			}
			return s.stream(ctx, actor, batches, now, &tot, pt, func(ps []Proposal, rs [][]ResultRecord) error {
				_, err := write(ps, rs)
				return err
			})
		})
	}
	if errors.Is(err, errNoOrders) {
		return StreamTotals{}, nil // rolled back: there was nothing to save
	}
	if err != nil {
		return StreamTotals{}, err
	}
	return tot, nil
}

// stream reads batches, validates each and writes it in chunks of bulkChunk
// with write, counting into tot, under the proposal pt creates. It is the
// body of ProposeStream's transaction, whichever kind the store gives.
func (s *Service) stream(ctx context.Context, actor Actor, batches iter.Seq2[ProposalBatch, error], now time.Time,
	tot *StreamTotals, pt ProposalTx, write func([]Proposal, [][]ResultRecord) error) error {
	*tot = StreamTotals{}
	orders, portfolios, err := eachChunk(actor, batches, now, func(ps []Proposal, rs [][]ResultRecord) error {
		if tot.ProposalID == 0 {
			id, err := pt.CreateProposal(ctx, actor.Name, now)
			if err != nil {
				return err
			}
			tot.ProposalID = id
		}
		for i := range ps {
			ps[i].Order.ProposalID = tot.ProposalID
		}
		return write(ps, rs)
	})
	tot.Orders = orders
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		// A producer stopped by the caller's cancellation may end its
		// stream early without saying so: such a stream is not whole.
		return fmt.Errorf("order: propose: %w (after %d orders)", err, tot.Orders)
	}
	tot.Portfolios = portfolios
	if tot.ProposalID == 0 {
		return nil
	}
	return pt.SetProposalTotals(ctx, tot.ProposalID, tot.Portfolios, tot.Orders)
}

// eachChunk reads batches, validates each and calls fn with its proposals
// and results in chunks of at most bulkChunk, in order. It returns how many
// orders the batches brought, in the batches read whole, and their distinct
// portfolios; it stops at the first error, from batches, a validation or fn.
// Both of ProposeStream's bodies read their batches through it.
func eachChunk(actor Actor, batches iter.Seq2[ProposalBatch, error], now time.Time,
	fn func([]Proposal, [][]ResultRecord) error) (orders, portfolios int, err error) {
	seen := map[string]bool{}
	for b, err := range batches {
		if err != nil {
			return orders, len(seen), err
		}
		if err := validateProposals(actor, b.Proposals, b.Results, now); err != nil {
			return orders, len(seen), fmt.Errorf("%w (after %d orders)", err, orders)
		}
		for lo := 0; lo < len(b.Proposals); lo += bulkChunk {
			hi := min(lo+bulkChunk, len(b.Proposals))
			if err := fn(b.Proposals[lo:hi], b.Results[lo:hi]); err != nil {
				return orders, len(seen), err
			}
		}
		for _, p := range b.Proposals {
			seen[p.Order.Portfolio] = true
		}
		orders += len(b.Proposals)
	}
	return orders, len(seen), nil
}

// streamPrepared is stream for a StreamTx, with all the work that needs no
// transaction taken off the writer, which bounds a whole-book save: a
// goroutine of its own validates each batch, runs its chunks through the
// transition table in memory (prepareBulk) and builds their rows
// (RowBuilder) while this one, the transaction's, inserts the chunk
// before. The proposal is created first, so that its id is in the rows
// built; a stream that brings no order rolls it back (errNoOrders).
func (s *Service) streamPrepared(ctx context.Context, actor Actor, batches iter.Seq2[ProposalBatch, error], now time.Time,
	tot *StreamTotals, tx StreamTx) error {
	*tot = StreamTotals{}
	id, err := tx.CreateProposal(ctx, actor.Name, now)
	if err != nil {
		return err
	}
	rb, err := tx.ProposedRows(ctx)
	if err != nil {
		return err
	}
	chunks := make(chan streamChunk, 2)
	stop := make(chan struct{})
	go s.prepareStream(ctx, actor, batches, now, id, rb, chunks, stop)
	defer func() {
		close(stop)
		for range chunks { // let the preparer end
		}
	}()
	portfolios, ended := 0, false
	for c := range chunks {
		if c.err != nil {
			return c.err
		}
		if c.end {
			portfolios, ended = c.portfolios, true
			break
		}
		if err := tx.InsertRows(ctx, c.rows); err != nil {
			return fmt.Errorf("order: propose: %w", err)
		}
		tot.Orders += c.rows.Orders()
	}
	if err := ctx.Err(); err != nil {
		// A producer stopped by the caller's cancellation may end its
		// stream early without saying so: such a stream is not whole.
		return fmt.Errorf("order: propose: %w (after %d orders)", err, tot.Orders)
	}
	if !ended {
		return fmt.Errorf("order: propose: %w (after %d orders)", errStreamCut, tot.Orders)
	}
	if tot.Orders == 0 {
		return errNoOrders
	}
	tot.ProposalID, tot.Portfolios = id, portfolios
	return tx.SetProposalTotals(ctx, tot.ProposalID, tot.Portfolios, tot.Orders)
}

// errNoOrders rolls back the transaction of a stream that brought no
// order: it wrote only the proposal, which is not kept.
var errNoOrders = errors.New("order: propose: no orders")

// errStreamCut says a stream's preparer stopped before the end of its
// batches without an error, which it does not do: a stream cut short for
// any reason is never committed.
var errStreamCut = errors.New("the stream ended early")

// streamChunk is what prepareStream hands the writer: the rows of a
// prepared chunk, the error that ends the stream, or (end) the end with its
// count of distinct portfolios.
type streamChunk struct {
	rows       ProposedRows
	err        error
	end        bool
	portfolios int
}

// prepareStream validates and prepares batches chunk by chunk as orders of
// proposal id, builds their rows with rb and sends them to out, in order,
// until the batches end, one fails or stop closes.
func (s *Service) prepareStream(ctx context.Context, actor Actor, batches iter.Seq2[ProposalBatch, error], now time.Time,
	id int64, rb RowBuilder, out chan<- streamChunk, stop <-chan struct{}) {
	defer close(out)
	send := func(c streamChunk) bool {
		select {
		case out <- c:
			return true
		case <-stop:
			return false
		}
	}
	_, portfolios, err := eachChunk(actor, batches, now, func(ps []Proposal, rs [][]ResultRecord) error {
		c, err := s.prepareBulk(ctx, actor.Name, ps, rs, now)
		if err != nil {
			return err
		}
		for i := range c.orders {
			c.orders[i].ProposalID = id
		}
		rows, err := rb.Build(c.orders, c.events, c.owner, c.recs)
		if err != nil {
			return fmt.Errorf("order: propose: %w", err)
		}
		if !send(streamChunk{rows: rows}) {
			return errWriterGone
		}
		return nil
	})
	switch {
	case errors.Is(err, errWriterGone):
	case err != nil:
		send(streamChunk{err: err})
	default:
		send(streamChunk{end: true, portfolios: portfolios})
	}
}

// errWriterGone stops prepareStream's reading once the writer has stopped.
var errWriterGone = errors.New("order: propose: the stream's writer has stopped")
