package db

import (
	"context"
	"fmt"

	"github.com/ballast-oms/ballast/portfolio"
	"github.com/ballast-oms/ballast/rebalance"
)

// RebalanceInputsEach is RebalanceInputs in parts of at most size
// portfolios, for a run that plans and saves the book part by part while
// the next part is read: fn gets each part's inputs and the part's
// portfolios without targets, in the order RebalanceInputs gives (by code
// for every portfolio, when codes is empty; else the order of codes).
// Models, prices, securities and restrictions are read once, before the
// first part; the portfolios and their positions are read in one read
// transaction, so every part sees the same snapshot of holdings and cash.
// An error from fn stops the reading and is returned as it is.
func (d *DB) RebalanceInputsEach(ctx context.Context, codes []string, size int,
	fn func(inputs []rebalance.Input, noTargets []string) error) error {
	size = max(size, 1)
	parts, err := d.inputParts(ctx)
	if err != nil {
		return err
	}
	tx, err := d.reader.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("db: rebalance inputs: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // read only: nothing to undo
	ps, err := selectedPortfolios(ctx, tx, codes)
	if err != nil {
		return err
	}
	for lo := 0; lo < len(ps); lo += size {
		part := ps[lo:min(lo+size, len(ps))]
		hs, err := holdingsOfPart(ctx, tx, part, len(codes) == 0)
		if err != nil {
			return fmt.Errorf("db: rebalance inputs: %w", err)
		}
		if err := fn(inputsOf(hs, parts)); err != nil {
			return err
		}
	}
	return nil
}

// selectedPortfolios reads the portfolios codes (every portfolio, by code,
// when codes is empty) through q, in the order of codes; an unknown code is
// an error wrapping ErrNotFound.
func selectedPortfolios(ctx context.Context, q querier, codes []string) ([]portfolio.Portfolio, error) {
	all, err := portfoliosIn(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("db: rebalance inputs: portfolios: %w", err)
	}
	if len(codes) == 0 {
		return all, nil
	}
	return inCodeOrder(all, func(p portfolio.Portfolio) string { return p.Code }, codes, "holdings")
}

// holdingsOfPart reads the positions of the portfolios ps through q: by
// the range of their codes when ps is a run of consecutive portfolios in
// code order (sorted), else by the list of their codes.
func holdingsOfPart(ctx context.Context, q querier, ps []portfolio.Portfolio, sorted bool) ([]portfolio.Holdings, error) {
	var pos []portfolio.Position
	var err error
	if sorted {
		pos, err = positionsIn(ctx, q, `WHERE portfolio >= ? AND portfolio <= ?`, ps[0].Code, ps[len(ps)-1].Code)
	} else {
		args := make([]any, len(ps))
		for i, p := range ps {
			args[i] = p.Code
		}
		pos, err = positionsIn(ctx, q, `WHERE portfolio IN `+inList(len(ps)), args...)
	}
	if err != nil {
		return nil, err
	}
	return holdingsOf(ps, pos), nil
}
