package order

import (
	"context"
	"fmt"
	"slices"
)

// The MemStore keeps compliance checks and overrides as the SQL store does
// (memTx implements ComplianceTx): append-only, one override per rule, group,
// rule version and amendment of an order, and an override voided once its
// order is amended.

var _ ComplianceTx = (*memTx)(nil)

// appendUndo appends v to *s and records how to undo it.
func appendUndo[V any](tx *memTx, s *[]V, v ...V) {
	n := len(*s)
	*s = append(*s, v...)
	tx.undo = append(tx.undo, func() { *s = (*s)[:n] })
}

// LatestCheck returns the order's most recent check.
func (tx *memTx) LatestCheck(_ context.Context, orderID int64) (CheckRecord, error) {
	for i := len(tx.m.checks) - 1; i >= 0; i-- {
		if c := tx.m.checks[i]; c.OrderID == orderID {
			c.Results = slices.Clone(c.Results)
			return c, nil
		}
	}
	return CheckRecord{}, notFound("compliance check of order", orderID)
}

// Overrides lists the order's overrides, oldest first, marking those an
// amendment of the order voided.
func (tx *memTx) Overrides(_ context.Context, orderID int64) ([]Override, error) {
	o := tx.m.orders[orderID]
	var out []Override
	for _, ov := range tx.m.overrides {
		if ov.OrderID == orderID {
			ov.Voided = ov.VoidedBy(o)
			out = append(out, ov)
		}
	}
	return out, nil
}

// InsertOverride appends an override, refusing a second one for the same
// breach and amendment.
func (tx *memTx) InsertOverride(_ context.Context, ov Override) (int64, error) {
	for _, d := range tx.m.overrides {
		if d.OrderID == ov.OrderID && d.RuleID == ov.RuleID && d.Group == ov.Group && d.RuleVersion == ov.RuleVersion &&
			d.Amendment == ov.Amendment {
			return 0, fmt.Errorf("override of order %d rule %s (%s) v%d: already given: %w", ov.OrderID, ov.RuleID,
				groupLabel(ov.Group), ov.RuleVersion, ErrConflict)
		}
	}
	ov.ID, ov.Voided = int64(len(tx.m.overrides)+1), false
	appendUndo(tx, &tx.m.overrides, ov)
	return ov.ID, nil
}

// SaveChecks appends checks with their results.
func (tx *memTx) SaveChecks(_ context.Context, checks []CheckRecord) error {
	for _, c := range checks {
		c.ID = int64(len(tx.m.checks) + 1)
		c.Results = slices.Clone(c.Results)
		appendUndo(tx, &tx.m.checks, c)
	}
	return nil
}
