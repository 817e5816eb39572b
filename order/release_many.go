package order

import (
	"context"
	"errors"
	"fmt"

	"github.com/ballast-oms/ballast/user"
)

// MaxReleaseBlocks is the most blocks ReleaseBlocks releases in one call: a
// large rebalance's program, kept to one transaction of bounded size.
const MaxReleaseBlocks = 500

// ReleaseBlocks releases the blocks ids together, as a program: in one
// transaction each block is released exactly as Release does it (a new
// ClOrdID, Sent, its orders and audit events), and then each block's
// NewOrderSingle is sent, in the order of ids.
//
// It is all or nothing up to the commit: if any block cannot be released
// (unknown, not approved, …) nothing is written and the error, which names
// that block, wraps the error Release gives (ErrNotFound, ErrConflict…).
// After the commit, a send the Sender refuses rejects that block only, as
// Release does, and the others are still sent. The sends do not stop when
// ctx is cancelled (a caller that gave up): each committed block is sent or
// rejected, never left sent but unsent. The blocks are then returned
// as released, the refused ones rejected, with an error that joins every
// refused send (each naming its block); a nil slice means nothing was
// released.
func (s *Service) ReleaseBlocks(ctx context.Context, actor Actor, ids []int64) ([]Block, error) {
	now := s.now()
	if !actor.has(user.Trader) {
		return nil, fmt.Errorf("order: release blocks: %s is not a trader: %w", actor.Name, ErrForbidden)
	}
	if err := checkBasket(ids); err != nil {
		return nil, err
	}
	blocks := make([]Block, len(ids))
	change := s.releaseChange(ctx, actor, now)
	err := s.Store.InTx(ctx, func(tx Tx) error {
		for i, id := range ids {
			var err error
			if blocks[i], err = s.changeBlock(ctx, tx, actor, id, "release", change); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var refused []error
	sendCtx := context.WithoutCancel(ctx)
	for i, b := range blocks {
		sent, err := s.sendNew(sendCtx, b, now)
		if err != nil {
			refused = append(refused, err)
			if sent.ID == 0 {
				continue // recording the refusal failed: b is as committed
			}
		}
		blocks[i] = sent
	}
	return blocks, errors.Join(refused...)
}

// checkBasket refuses an empty list of blocks, one over MaxReleaseBlocks,
// and a block listed twice.
func checkBasket(ids []int64) error {
	switch {
	case len(ids) == 0:
		return fmt.Errorf("order: release blocks: no blocks listed: %w", ErrInvalid)
	case len(ids) > MaxReleaseBlocks:
		return fmt.Errorf("order: release blocks: %d blocks listed, at most %d at once: %w", len(ids), MaxReleaseBlocks, ErrInvalid)
	}
	seen := make(map[int64]bool, len(ids))
	for _, id := range ids {
		if seen[id] {
			return fmt.Errorf("order: release blocks: block %d listed twice: %w", id, ErrInvalid)
		}
		seen[id] = true
	}
	return nil
}
