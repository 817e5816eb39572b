package order

import (
	"context"
	"errors"
	"fmt"
)

// BookExecutions books reports in their order, all in one Store transaction:
// a burst from one session (a busy market, a resend after a reconnect) then
// costs one commit instead of one per report. Each report is booked exactly
// as BookExecution books it, and the transaction holds every report's
// execution row, block, allocations, positions, cash, orders and audit events,
// so either all of the batch is booked or none of it. When the batch fails as
// a whole, the reports are booked again one at a time with BookExecution, in
// order, up to the first that fails on its own: the reports after it are not
// booked (a bust or a correction among them may refer to its fill), and each
// says so; the caller has them resent. The results match reports one to one;
// the error joins the failures.
func (s *Service) BookExecutions(ctx context.Context, reports []ExecutionReport) ([]BookResult, error) {
	out, errs := s.BookBatch(ctx, reports)
	return out, errors.Join(errs...)
}

// BookBatch books reports as BookExecutions does, and returns each report's
// error apart (nil: booked), so a caller can tell which report to have
// resent.
func (s *Service) BookBatch(ctx context.Context, reports []ExecutionReport) ([]BookResult, []error) {
	out := make([]BookResult, len(reports))
	for _, r := range reports {
		if r.Session == "" || r.ExecID == "" {
			return s.bookEach(ctx, reports, out)
		}
	}
	err := s.Store.InTx(ctx, func(tx Tx) error {
		now := s.now()
		for i, r := range reports {
			res, err := s.book(ctx, tx, r, now)
			if err != nil {
				return fmt.Errorf("order: book %s/%s: %w", r.Session, r.ExecID, err)
			}
			out[i] = res
		}
		return nil
	})
	if err != nil {
		return s.bookEach(ctx, reports, out)
	}
	return out, make([]error, len(reports))
}

// bookEach books reports in order, each in its own transaction, and stops at
// the first that fails: a later report may bust or correct its fill, and
// booked first it would be refused as naming an unknown fill and then kept
// under its key, so the resent report would be a duplicate and the busted
// fill would stay booked. Every report after the failed one gets an error.
func (s *Service) bookEach(ctx context.Context, reports []ExecutionReport, out []BookResult) ([]BookResult, []error) {
	errs := make([]error, len(reports))
	for i, r := range reports {
		if out[i], errs[i] = s.BookExecution(ctx, r); errs[i] == nil {
			continue
		}
		for k := i + 1; k < len(reports); k++ {
			out[k] = BookResult{}
			errs[k] = fmt.Errorf("order: book %s/%s: not booked: %s/%s before it failed", reports[k].Session, reports[k].ExecID, r.Session, r.ExecID)
		}
		break
	}
	return out, errs
}
