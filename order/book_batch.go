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
// a whole, each report is booked again on its own with BookExecution, so one
// bad report never holds the others back. The results match reports one to
// one; the error joins the failures of the reports booked on their own.
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

// bookEach books every report in its own transaction.
func (s *Service) bookEach(ctx context.Context, reports []ExecutionReport, out []BookResult) ([]BookResult, []error) {
	errs := make([]error, len(reports))
	for i, r := range reports {
		out[i], errs[i] = s.BookExecution(ctx, r)
	}
	return out, errs
}
