package order

import (
	"context"
	"fmt"

	"github.com/ballast-oms/ballast/user"
)

// ProposeChecked is Propose with each order's compliance findings (results[i]
// for ps[i], summarised by ps[i].Check) stored in the same transaction as the
// orders, their statuses and audit events: all of it is saved or none. The
// Store's Tx must implement ComplianceTx.
func (s *Service) ProposeChecked(ctx context.Context, actor Actor, ps []Proposal, results [][]ResultRecord) ([]Order, error) {
	now := s.now()
	if !actor.has(user.PM, user.Trader) {
		return nil, fmt.Errorf("order: propose: %s is neither pm nor trader: %w", actor.Name, ErrForbidden)
	}
	if len(results) != len(ps) {
		return nil, fmt.Errorf("order: propose: %d proposals but %d result lists: %w", len(ps), len(results), ErrInvalid)
	}
	for i, p := range ps {
		if err := p.Order.Validate(now); err != nil {
			return nil, fmt.Errorf("order: propose #%d: %w", i+1, err)
		}
		if err := p.Check.valid(); err != nil {
			return nil, fmt.Errorf("order: propose #%d: %w", i+1, err)
		}
	}
	out := make([]Order, 0, len(ps))
	err := s.Store.InTx(ctx, func(tx Tx) error {
		ct, ok := tx.(ComplianceTx)
		if !ok {
			return fmt.Errorf("order: propose: the store keeps no compliance results")
		}
		out = out[:0]
		recs := make([]CheckRecord, 0, len(ps))
		for i, p := range ps {
			o, err := s.propose(ctx, tx, actor.Name, p, now)
			if err != nil {
				return err
			}
			out = append(out, o)
			recs = append(recs, CheckRecord{OrderID: o.ID, Phase: PhasePropose, Verdict: p.Check.Verdict,
				Summary: p.Check.Findings, At: now, Results: results[i]})
		}
		return ct.SaveChecks(ctx, recs)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
