package order

import (
	"context"
	"errors"
	"fmt"
)

// HandleCancelReject records a broker's refusal of a cancel or replace: the
// block goes back to working (see ApplyCancelReject) with the broker's reason
// in the audit trail. A refusal Ballast cannot match to a block is audited
// under block 0.
func (s *Service) HandleCancelReject(ctx context.Context, cr CancelReject) error {
	return s.Store.InTx(ctx, func(tx Tx) error {
		b, err := matchBlock(ctx, tx, cr.ClOrdID, cr.OrigClOrdID)
		if errors.Is(err, ErrNotFound) {
			return tx.AppendEvent(ctx, Event{At: s.now(), Actor: "broker:" + cr.Broker, Action: "cancel_reject_unmatched",
				Reason: cr.Reason, Details: fmt.Sprintf("ClOrdID %s OrigClOrdID %s: %s", cr.ClOrdID, cr.OrigClOrdID, cr.Raw)})
		}
		if err != nil {
			return fmt.Errorf("order: cancel reject %s: %w", cr.ClOrdID, err)
		}
		return s.applyCancelReject(ctx, tx, &b, cr, "broker:"+cr.Broker)
	})
}

// HandleSessionReject maps a session-level Reject or BusinessMessageReject
// back to its block: a refused new order makes the block rejected, a refused
// cancel or replace is treated like a cancel reject; anything else is audited.
func (s *Service) HandleSessionReject(ctx context.Context, sr SessionReject) error {
	return s.Store.InTx(ctx, func(tx Tx) error {
		actor := "session:" + sr.Session
		b, err := matchBlock(ctx, tx, sr.ClOrdID, "")
		if sr.ClOrdID == "" || errors.Is(err, ErrNotFound) {
			return tx.AppendEvent(ctx, Event{At: s.now(), Actor: actor, Action: "session_reject_unmatched", Reason: sr.Reason,
				Details: fmt.Sprintf("RefSeqNum %d ClOrdID %q: %s", sr.RefSeqNum, sr.ClOrdID, sr.Raw)})
		}
		if err != nil {
			return fmt.Errorf("order: session reject %d: %w", sr.RefSeqNum, err)
		}
		switch {
		case sr.ClOrdID == b.PendingClOrdID:
			return s.applyCancelReject(ctx, tx, &b, CancelReject{ClOrdID: sr.ClOrdID, OrigClOrdID: b.ClOrdID, Reason: sr.Reason}, actor)
		case sr.ClOrdID == b.ClOrdID && b.Status == Sent:
			if err := moveBlock(ctx, tx, &b, Rejected, OnBrokerReject, actor, sr.Reason, s.now()); err != nil {
				return err
			}
			return saveBlock(ctx, tx, b, OnBrokerReject, actor, s.now())
		}
		return tx.AppendEvent(ctx, Event{At: s.now(), Actor: actor, Action: "session_reject", BlockID: b.ID, Reason: sr.Reason,
			Details: fmt.Sprintf("RefSeqNum %d ClOrdID %s", sr.RefSeqNum, sr.ClOrdID)})
	})
}

func (s *Service) applyCancelReject(ctx context.Context, tx Tx, b *Block, cr CancelReject, actor string) error {
	st, cause, err := ApplyCancelReject(b.Status, b.Totals, cr)
	if err != nil {
		return err
	}
	if laterInFlight(*b, cr.ClOrdID) {
		st = b.Status // a newer request is still pending
	}
	if cr.ClOrdID == b.PendingClOrdID {
		b.PendingClOrdID = ""
	}
	now := s.now()
	if st != b.Status {
		if err := moveBlock(ctx, tx, b, st, cause, actor, cr.Reason, now); err != nil {
			return err
		}
	} else {
		ev := Event{At: now, Actor: actor, Action: "cancel_reject", BlockID: b.ID, Reason: cr.Reason, Details: "ClOrdID " + cr.ClOrdID}
		if err := tx.AppendEvent(ctx, ev); err != nil {
			return err
		}
	}
	return saveBlock(ctx, tx, *b, OnCancelRejected, actor, now)
}

// matchBlock finds the block of clOrdID, or failing that of orig.
func matchBlock(ctx context.Context, tx Tx, clOrdID, orig string) (Block, error) {
	b, err := tx.BlockByClOrdID(ctx, clOrdID)
	if errors.Is(err, ErrNotFound) && orig != "" {
		return tx.BlockByClOrdID(ctx, orig)
	}
	return b, err
}
