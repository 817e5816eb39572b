package main

import (
	"context"
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/db"
	"github.com/ballast-oms/ballast/order"
	"github.com/ballast-oms/ballast/portfolio"
	"github.com/ballast-oms/ballast/trigger"
)

// positionChange is a position the order book moved in a committed transaction.
type positionChange struct {
	from, to portfolio.Position
}

// watchPositions wraps an order store so that every committed transaction
// that saved positions (booking a fill, a bust, a correction) reports their
// changes to changed, after the commit.
func watchPositions(s order.Store, changed func(context.Context, []positionChange)) order.Store {
	return &positionWatch{Store: s, changed: changed}
}

type positionWatch struct {
	order.Store
	changed func(context.Context, []positionChange)
}

// InTx runs fn on a transaction that records saved positions.
func (w *positionWatch) InTx(ctx context.Context, fn func(order.Tx) error) error {
	var changes []positionChange
	err := w.Store.InTx(ctx, func(tx order.Tx) error {
		changes = changes[:0]
		rec := &recordingTx{Tx: tx, changes: &changes}
		if ct, ok := tx.(order.ComplianceTx); ok {
			return fn(&recordingComplianceTx{recordingTx: rec, ComplianceTx: ct})
		}
		return fn(rec)
	})
	if err == nil && len(changes) > 0 {
		w.changed(ctx, changes)
	}
	return err
}

// InStreamTx hands a proposal's stream transaction to the store: it only
// inserts orders, events, checks and the proposal, never a position, so
// there is nothing to record. Without it a Service over the watch would
// save proposals through InTx, one order at a time and without a proposal
// row (the recording Tx is neither a BulkTx nor a ProposalTx).
// A store without stream transactions runs fn in its InTx when its Tx can
// do all a StreamTx does.
func (w *positionWatch) InStreamTx(ctx context.Context, fn func(order.StreamTx) error) error {
	if ss, ok := w.Store.(order.StreamStore); ok {
		return ss.InStreamTx(ctx, fn)
	}
	return w.Store.InTx(ctx, func(tx order.Tx) error {
		st, ok := tx.(order.StreamTx)
		if !ok {
			return fmt.Errorf("triggers: the order store cannot save a proposal in one transaction")
		}
		return fn(st)
	})
}

// recordingTx is an order.Tx that remembers each position's quantity before
// its first save in the transaction and after its last.
type recordingTx struct {
	order.Tx
	changes *[]positionChange
}

// SavePosition saves p and records the change.
func (t *recordingTx) SavePosition(ctx context.Context, p portfolio.Position) error {
	prev, err := t.Tx.Position(ctx, p.Portfolio, p.Symbol)
	if err != nil {
		return err
	}
	if err := t.Tx.SavePosition(ctx, p); err != nil {
		return err
	}
	for i, c := range *t.changes {
		if c.to.Portfolio == p.Portfolio && c.to.Symbol == p.Symbol {
			(*t.changes)[i].to = p
			return nil
		}
	}
	prev.Portfolio, prev.Symbol = p.Portfolio, p.Symbol
	*t.changes = append(*t.changes, positionChange{from: prev, to: p})
	return nil
}

// recordingComplianceTx keeps the store's compliance reads visible.
type recordingComplianceTx struct {
	*recordingTx
	order.ComplianceTx
}

// positionsChanged follows the holdings a booking moved: a position opened
// gets the portfolio's approved defaults; one sold to zero has its sell
// conditions cancelled; one reduced has its partial sells resized.
func (td *triggerDesk) positionsChanged(ctx context.Context, changes []positionChange) {
	td.mu.Lock()
	defer td.mu.Unlock()
	for _, ch := range changes {
		from, to := ch.from.Quantity, ch.to.Quantity
		var err error
		switch {
		case !from.IsPositive() && to.IsPositive():
			err = td.attachDefaults(ctx, ch.to)
		case from.IsPositive() && !to.IsPositive():
			err = td.holdingClosed(ctx, ch.to.Portfolio, ch.to.Symbol)
		case to.LessThan(from):
			err = td.resize(ctx, ch)
		}
		if err != nil {
			td.log.Error("follow a position change", "portfolio", ch.to.Portfolio, "symbol", ch.to.Symbol, "err", err)
		}
	}
}

// attachDefaults creates the portfolio's approved default conditions on a
// position a fill just opened; they start active.
func (td *triggerDesk) attachDefaults(ctx context.Context, p portfolio.Position) error {
	tmpls, err := td.d.Templates(ctx, p.Portfolio)
	if err != nil {
		return err
	}
	snap := trigger.Snapshot{Price: td.lastPrice(ctx, p.Symbol), AvgCost: p.AvgCost, Holding: p.Quantity,
		Tick: td.ticks[p.Symbol], Now: td.now()}
	for _, t := range tmpls {
		if t.ApprovedBy == "" || t.Removed {
			continue
		}
		c, err := t.Attach(p.Symbol, snap)
		if err != nil {
			td.log.Warn("default not attached", "default", t.ID, "portfolio", p.Portfolio, "symbol", p.Symbol, "err", err)
			continue
		}
		c, err = td.d.InsertCondition(ctx, c, t.ID, db.ConditionEvent{Actor: db.TriggerActor, Action: "condition_attach",
			Reason: fmt.Sprintf("default #%d of %s on a new holding of %s", t.ID, p.Portfolio, p.Quantity)})
		if err != nil {
			return err
		}
		if c.State == trigger.Active {
			if err := td.engine.Add(c); err != nil {
				return err
			}
		}
	}
	return nil
}

// holdingClosed cancels every waiting sell condition of a holding sold to
// zero: the active ones through the engine, the pending ones in storage.
func (td *triggerDesk) holdingClosed(ctx context.Context, pf, symbol string) error {
	now := td.now()
	cancelled := td.engine.HoldingClosed(pf, symbol, now)
	waiting, err := td.d.HoldingConditions(ctx, pf, symbol)
	if err != nil {
		return err
	}
	for _, c := range waiting {
		if c.State == trigger.PendingApproval && c.Kind.Sells() {
			if x, err := c.Cancel(db.TriggerActor, "the holding was sold to zero", now); err == nil {
				cancelled = append(cancelled, x)
			}
		}
	}
	_, err = td.d.SaveConditionStates(ctx, cancelled, "condition_cancel")
	return err
}

// resize keeps each waiting partial sell's share of a reduced holding.
func (td *triggerDesk) resize(ctx context.Context, ch positionChange) error {
	waiting, err := td.d.HoldingConditions(ctx, ch.to.Portfolio, ch.to.Symbol)
	if err != nil {
		return err
	}
	lot := td.lots[ch.to.Symbol]
	if !lot.IsPositive() {
		lot = decimal.NewFromInt(1)
	}
	for _, s := range waiting {
		next, err := s.Resize(ch.from.Quantity, ch.to.Quantity, lot, td.now())
		if err != nil || next.Version == s.Version {
			continue
		}
		ev := db.ConditionEvent{Actor: db.TriggerActor, Action: "condition_resize",
			Reason: fmt.Sprintf("the holding went from %s to %s", ch.from.Quantity, ch.to.Quantity)}
		if err := td.d.UpdateCondition(ctx, next, s.Version, ev); err != nil {
			return err
		}
		td.follow(next)
	}
	return nil
}

// follow puts a changed condition into the engine, or takes it out.
func (td *triggerDesk) follow(c trigger.Condition) {
	if c.State == trigger.Active {
		if err := td.engine.Add(c); err != nil {
			td.log.Error("watch condition", "condition_id", c.ID, "err", err)
		}
		return
	}
	td.engine.Remove(c.ID)
}

// lastPrice is the hub's last price of symbol, else the stored latest one.
func (td *triggerDesk) lastPrice(ctx context.Context, symbol string) decimal.Decimal {
	if p, ok := td.prices.Last(symbol); ok {
		return p.Value
	}
	latest, err := td.d.LatestPrices(ctx)
	if err != nil {
		return decimal.Zero
	}
	return latest[symbol].Value
}
