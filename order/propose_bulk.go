package order

import (
	"context"
	"fmt"
	"time"

	"github.com/ballast-oms/ballast/user"
)

// BulkTx is a Tx that writes many proposed orders, their audit events and
// their compliance checks at once (multi-row inserts) instead of one
// statement per row. ProposeMany uses it when the Store's Tx implements it.
type BulkTx interface {
	// InsertProposed inserts orders as they are (ID ignored), then their
	// audit events in order, event k with the id of orders[owner[k]] as its
	// OrderID, then their compliance checks, checks[i] with the id of
	// orders[i] as its OrderID; it returns the orders' ids in order. An
	// unknown portfolio or security is a FieldErrors.
	InsertProposed(ctx context.Context, orders []Order, events []Event, owner []int, checks []CheckRecord) ([]int64, error)
}

// bulkChunk is how many orders ProposeMany builds and writes at a time, which
// bounds the memory a large proposal holds besides the saved orders.
const bulkChunk = 4096

// ProposeMany is ProposeChecked for large proposals (a rebalance of the whole
// book): every order is validated first (all or nothing), then moved through
// the transition table in memory (proposed → pending_compliance →
// ready / awaiting_override / blocked, with one audit event per transition,
// exactly as ProposeChecked records them), and the orders, their events and
// their compliance checks (results[i] for ps[i]) are written in bulk, in one
// transaction. A Store whose Tx is not a BulkTx gets ProposeChecked.
func (s *Service) ProposeMany(ctx context.Context, actor Actor, ps []Proposal, results [][]ResultRecord) ([]Order, error) {
	now := s.now()
	if err := validateProposals(actor, ps, results, now); err != nil {
		return nil, err
	}
	out := make([]Order, 0, len(ps))
	err := s.Store.InTx(ctx, func(tx Tx) error {
		out = out[:0]
		write, err := s.proposer(ctx, tx, actor.Name, now)
		if err != nil {
			return err
		}
		for lo := 0; lo < len(ps); lo += bulkChunk {
			hi := min(lo+bulkChunk, len(ps))
			saved, err := write(ps[lo:hi], results[lo:hi])
			if err != nil {
				return err
			}
			out = append(out, saved...)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// proposer is how tx writes a chunk of proposals by by: in bulk when it is
// a BulkTx, one by one otherwise, with their compliance results.
func (s *Service) proposer(ctx context.Context, tx Tx, by string, now time.Time) (func([]Proposal, [][]ResultRecord) ([]Order, error), error) {
	ct, ok := tx.(ComplianceTx)
	if !ok {
		return nil, fmt.Errorf("order: propose: the store keeps no compliance results")
	}
	if bt, ok := tx.(BulkTx); ok {
		return func(ps []Proposal, rs [][]ResultRecord) ([]Order, error) {
			return s.proposeBulk(ctx, bt, by, ps, rs, now)
		}, nil
	}
	return func(ps []Proposal, rs [][]ResultRecord) ([]Order, error) {
		return s.proposeEach(ctx, tx, ct, by, ps, rs, now)
	}, nil
}

// validateProposals refuses an actor who may not propose, and any invalid
// order or check, before anything is written.
func validateProposals(actor Actor, ps []Proposal, results [][]ResultRecord, now time.Time) error {
	if !actor.has(user.PM, user.Trader) {
		return fmt.Errorf("order: propose: %s is neither pm nor trader: %w", actor.Name, ErrForbidden)
	}
	if len(results) != len(ps) {
		return fmt.Errorf("order: propose: %d proposals but %d result lists: %w", len(ps), len(results), ErrInvalid)
	}
	for i, p := range ps {
		if err := p.Order.Validate(now); err != nil {
			return fmt.Errorf("order: propose #%d: %w", i+1, err)
		}
		if err := p.Check.valid(); err != nil {
			return fmt.Errorf("order: propose #%d: %w", i+1, err)
		}
	}
	return nil
}

// proposeEach proposes ps one by one, as ProposeChecked does.
func (s *Service) proposeEach(ctx context.Context, tx Tx, ct ComplianceTx, actor string, ps []Proposal,
	results [][]ResultRecord, now time.Time) ([]Order, error) {
	out := make([]Order, 0, len(ps))
	recs := make([]CheckRecord, 0, len(ps))
	for i, p := range ps {
		o, err := s.propose(ctx, tx, actor, p, now)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
		recs = append(recs, checkRecord(o.ID, p.Check, now, results[i]))
	}
	return out, ct.SaveChecks(ctx, recs)
}

// proposeBulk runs ps through the transition table in memory and writes
// the orders, their audit events and their checks in bulk.
func (s *Service) proposeBulk(ctx context.Context, bt BulkTx, actor string, ps []Proposal,
	results [][]ResultRecord, now time.Time) ([]Order, error) {
	c, err := s.prepareBulk(ctx, actor, ps, results, now)
	if err != nil {
		return nil, err
	}
	return c.write(ctx, bt)
}

// preparedChunk is a chunk of proposals run through the transition table
// in memory: the orders as they are to be inserted, their audit events
// (owner[k] is the index in orders of events[k]'s order) and their checks.
type preparedChunk struct {
	orders []Order
	events []Event
	owner  []int
	recs   []CheckRecord
}

// prepareBulk is the part of proposeBulk that needs no transaction: it
// reads nothing and writes nothing.
func (s *Service) prepareBulk(ctx context.Context, actor string, ps []Proposal,
	results [][]ResultRecord, now time.Time) (preparedChunk, error) {
	orders := make([]Order, len(ps))
	log := &eventLog{events: make([]Event, 0, 3*len(ps))}
	owner := make([]int, 0, 3*len(ps)) // the order of each event
	recs := make([]CheckRecord, len(ps))
	for i, p := range ps {
		o := s.proposed(actor, p, now)
		log.events = append(log.events, proposeEvent(o, actor, now))
		if err := s.check(ctx, log, &o, actor, p.Check, now); err != nil {
			return preparedChunk{}, fmt.Errorf("order: propose #%d: %w", i+1, err)
		}
		for len(owner) < len(log.events) {
			owner = append(owner, i)
		}
		orders[i] = o
		recs[i] = checkRecord(0, p.Check, now, results[i])
	}
	return preparedChunk{orders: orders, events: log.events, owner: owner, recs: recs}, nil
}

// write inserts the chunk with bt and returns its orders with their ids.
func (c preparedChunk) write(ctx context.Context, bt BulkTx) ([]Order, error) {
	ids, err := bt.InsertProposed(ctx, c.orders, c.events, c.owner, c.recs)
	if err != nil {
		return nil, fmt.Errorf("order: propose: %w", err)
	}
	for i := range c.orders {
		c.orders[i].ID = ids[i]
	}
	return c.orders, nil
}

func checkRecord(id int64, c Check, now time.Time, results []ResultRecord) CheckRecord {
	return CheckRecord{OrderID: id, Phase: PhasePropose, Verdict: c.Verdict, Summary: c.Findings, At: now, Results: results}
}

// eventLog collects the audit events of transitions made in memory, before
// their order has an id. Only AppendEvent may be called on it.
type eventLog struct {
	Tx
	events []Event
}

// AppendEvent keeps e.
func (l *eventLog) AppendEvent(_ context.Context, e Event) error {
	l.events = append(l.events, e)
	return nil
}
