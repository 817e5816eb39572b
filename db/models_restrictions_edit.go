package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ballast-oms/ballast/order"
	"github.com/ballast-oms/ballast/rebalance"
)

// The audit actions of a change to a portfolio's rebalancing restrictions.
const (
	ActionRestrictionAdd    = "restriction_add"
	ActionRestrictionRemove = "restriction_remove"
)

// restrictionHistoryMax bounds RestrictionEvents.
const restrictionHistoryMax = 1000

// UpdateRestriction changes how rebalancing may trade symbol in portfolio
// code, together with its audit event, in one transaction. change gets the
// current restriction (zero when there is none) and returns the new one; an
// error from it, an unknown portfolio or security (ErrNotFound) or a change
// that changes nothing (ErrConflict) leaves everything as it was. A
// restriction left with no flag set is removed. The event says who (actor),
// when (at), what (ActionRestrictionAdd or ActionRestrictionRemove, details
// "SYMBOL kind…; now …") and why (note, as its reason).
func (d *DB) UpdateRestriction(ctx context.Context, code, symbol string,
	change func(rebalance.Restriction) (rebalance.Restriction, error), actor, note string, at time.Time) error {
	err := d.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := portfolioIn(ctx, tx, code); err != nil {
			return err
		}
		var one int
		if err := tx.QueryRowContext(ctx, `SELECT 1 FROM securities WHERE symbol = ?`, symbol).Scan(&one); errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("security %s: %w", symbol, ErrNotFound)
		} else if err != nil {
			return err
		}
		var cur rebalance.Restriction
		err := tx.QueryRowContext(ctx, `SELECT do_not_buy, do_not_sell, excluded FROM restrictions WHERE portfolio = ? AND symbol = ?`,
			code, symbol).Scan(&cur.DoNotBuy, &cur.DoNotSell, &cur.Excluded)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		next, err := change(cur)
		if err != nil {
			return err
		}
		if next == cur {
			return fmt.Errorf("nothing to change: %w", ErrConflict)
		}
		if err := writeRestriction(ctx, tx, code, symbol, next); err != nil {
			return err
		}
		action, details := restrictionEvent(symbol, cur, next)
		_, err = tx.ExecContext(ctx, `INSERT INTO audit_events (at, actor, action, portfolio, reason, details) VALUES (?, ?, ?, ?, ?, ?)`,
			formatTime(at), actor, action, code, note, details)
		if err != nil {
			return fmt.Errorf("audit %s: %w", action, err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("db: restrict %s %s: %w", code, symbol, err)
	}
	return nil
}

func writeRestriction(ctx context.Context, tx *sql.Tx, code, symbol string, r rebalance.Restriction) error {
	if r == (rebalance.Restriction{}) {
		_, err := tx.ExecContext(ctx, `DELETE FROM restrictions WHERE portfolio = ? AND symbol = ?`, code, symbol)
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO restrictions (portfolio, symbol, do_not_buy, do_not_sell, excluded)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (portfolio, symbol) DO UPDATE SET do_not_buy = excluded.do_not_buy,
		do_not_sell = excluded.do_not_sell, excluded = excluded.excluded`,
		code, symbol, r.DoNotBuy, r.DoNotSell, r.Excluded)
	return err
}

// restrictionEvent is the audit action and details of a change from cur to
// next: "AAA do_not_buy; now do_not_buy, do_not_sell". A change that both
// adds and removes flags is an add; its details name only the added ones.
func restrictionEvent(symbol string, cur, next rebalance.Restriction) (action, details string) {
	added, removed := restrictionKinds(next, cur), restrictionKinds(cur, next)
	action, kinds := ActionRestrictionAdd, added
	if len(added) == 0 {
		action, kinds = ActionRestrictionRemove, removed
	}
	now := strings.Join(restrictionKinds(next, rebalance.Restriction{}), ", ")
	if now == "" {
		now = "none"
	}
	return action, symbol + " " + strings.Join(kinds, " ") + "; now " + now
}

// restrictionKinds names the flags set in a and not in b.
func restrictionKinds(a, b rebalance.Restriction) []string {
	var out []string
	if a.DoNotBuy && !b.DoNotBuy {
		out = append(out, "do_not_buy")
	}
	if a.DoNotSell && !b.DoNotSell {
		out = append(out, "do_not_sell")
	}
	if a.Excluded && !b.Excluded {
		out = append(out, "excluded")
	}
	return out
}

// RestrictionEvents returns the audit events of the changes to portfolio
// code's rebalancing restrictions, newest first, at most limit (at most
// 1000; 0 means 1000).
func (d *DB) RestrictionEvents(ctx context.Context, code string, limit int) ([]order.Event, error) {
	if limit <= 0 || limit > restrictionHistoryMax {
		limit = restrictionHistoryMax
	}
	rows, err := d.reader.QueryContext(ctx, `SELECT `+eventColumns+` FROM audit_events
		WHERE portfolio = ? AND order_id IS NULL AND action IN (?, ?) ORDER BY id DESC LIMIT ?`,
		code, ActionRestrictionAdd, ActionRestrictionRemove, limit)
	if err != nil {
		return nil, fmt.Errorf("db: restriction events of %s: %w", code, err)
	}
	evs, err := collectEvents(rows)
	if err != nil {
		return nil, fmt.Errorf("db: restriction events of %s: %w", code, err)
	}
	return evs, nil
}
