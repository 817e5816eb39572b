package order

import (
	"context"
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
			return s.stream(ctx, actor, batches, now, &tot, tx, func(ps []Proposal, rs [][]ResultRecord) error {
				_, err := s.proposeBulk(ctx, tx, actor.Name, ps, rs, now)
				return err
			})
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
	seen := map[string]bool{}
	for b, err := range batches {
		if err != nil {
			return err
		}
		if err := validateProposals(actor, b.Proposals, b.Results, now); err != nil {
			return fmt.Errorf("%w (after %d orders)", err, tot.Orders)
		}
		for lo := 0; lo < len(b.Proposals); lo += bulkChunk {
			hi := min(lo+bulkChunk, len(b.Proposals))
			if tot.ProposalID == 0 {
				id, err := pt.CreateProposal(ctx, actor.Name, now)
				if err != nil {
					return err
				}
				tot.ProposalID = id
			}
			for i := range b.Proposals[lo:hi] {
				b.Proposals[lo+i].Order.ProposalID = tot.ProposalID
			}
			if err := write(b.Proposals[lo:hi], b.Results[lo:hi]); err != nil {
				return err
			}
		}
		for _, p := range b.Proposals {
			seen[p.Order.Portfolio] = true
		}
		tot.Orders += len(b.Proposals)
	}
	if err := ctx.Err(); err != nil {
		// A producer stopped by the caller's cancellation may end its
		// stream early without saying so: such a stream is not whole.
		return fmt.Errorf("order: propose: %w (after %d orders)", err, tot.Orders)
	}
	tot.Portfolios = len(seen)
	if tot.ProposalID == 0 {
		return nil
	}
	return pt.SetProposalTotals(ctx, tot.ProposalID, tot.Portfolios, tot.Orders)
}
