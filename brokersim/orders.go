package brokersim

import (
	"github.com/quickfixgo/quickfix"
	"github.com/quickfixgo/tag"
	"github.com/shopspring/decimal"
)

// simOrder is the broker's book entry for one order; guarded by Broker.mu.
type simOrder struct {
	session  quickfix.SessionID
	orderID  string
	clOrdID  string // live (last accepted) ClOrdID
	account  string
	symbol   string
	side     string
	ordType  string
	qty      decimal.Decimal
	price    decimal.Decimal
	cum      decimal.Decimal
	notional decimal.Decimal
	status   string // OrdStatus(39)
	done     bool   // filled, cancelled, rejected or done for day
	plan     Plan
	fills    []fillRec
	lastFill report
}

type fillRec struct {
	execID string
	qty    decimal.Decimal
	px     decimal.Decimal
}

func (o *simOrder) leaves() decimal.Decimal {
	if o.done {
		return decimal.Zero
	}
	l := o.qty.Sub(o.cum)
	if l.IsNegative() {
		return decimal.Zero
	}
	return l
}

func (o *simOrder) avgPx() decimal.Decimal {
	if o.cum.IsZero() {
		return decimal.Zero
	}
	return o.notional.DivRound(o.cum, 8)
}

// workingStatus is OrdStatus for an order that is not done.
func (o *simOrder) workingStatus() string {
	switch {
	case o.cum.IsZero():
		return "0"
	case o.qty.Sub(o.cum).IsPositive():
		return "1"
	}
	return "2"
}

func decimalField(msg *quickfix.Message, t quickfix.Tag, required bool) (decimal.Decimal, quickfix.MessageRejectError) {
	if !msg.Body.Has(t) {
		if required {
			return decimal.Zero, quickfix.RequiredTagMissing(t)
		}
		return decimal.Zero, nil
	}
	s, err := msg.Body.GetString(t)
	if err != nil {
		return decimal.Zero, err
	}
	d, perr := decimal.NewFromString(s)
	if perr != nil {
		return decimal.Zero, quickfix.IncorrectDataFormatForValue(t)
	}
	return d, nil
}

func (b *Broker) onNewOrder(msg *quickfix.Message, id quickfix.SessionID) quickfix.MessageRejectError {
	o := &simOrder{session: id, status: "0"}
	var err quickfix.MessageRejectError
	if o.clOrdID, err = msg.Body.GetString(tag.ClOrdID); err != nil {
		return err
	}
	if o.symbol, err = msg.Body.GetString(tag.Symbol); err != nil {
		return err
	}
	if o.side, err = msg.Body.GetString(tag.Side); err != nil {
		return err
	}
	if o.qty, err = decimalField(msg, tag.OrderQty, true); err != nil {
		return err
	}
	if o.price, err = decimalField(msg, tag.Price, false); err != nil {
		return err
	}
	o.account, _ = msg.Body.GetString(tag.Account)
	o.ordType, _ = msg.Body.GetString(tag.OrdType)
	o.orderID = b.newID("O")
	key := orderKey{id, o.clOrdID}
	if _, dup := b.orders[key]; dup {
		if possDup, _ := msg.Header.GetBool(tag.PossDupFlag); possDup {
			return nil // a resend of an order the broker already has
		}
		o.status, o.done = "8", true
		b.send(o, o.snapshot(report{ev: evRejected, execID: b.newID("E"), text: "duplicate ClOrdID"}))
		return nil
	}
	o.plan = b.plan(Order{Session: id.String(), BeginString: id.BeginString, ClOrdID: o.clOrdID,
		Account: o.account, Symbol: o.symbol, Side: o.side, Quantity: o.qty, Price: o.price})
	switch o.plan.Action {
	case SessionReject:
		return quickfix.NewMessageRejectError("simulated session reject", 5, nil)
	case BusinessReject:
		return quickfix.NewBusinessMessageRejectErrorWithRefID("simulated business reject", 2, o.clOrdID, nil)
	}
	b.orders[key] = o
	if o.plan.Action == Reject || !o.qty.IsPositive() {
		o.status, o.done = "8", true
		b.send(o, o.snapshot(report{ev: evRejected, execID: b.newID("E"), text: "rejected by simulated broker"}))
		return nil
	}
	b.send(o, o.snapshot(report{ev: evNew, execID: b.newID("E")}))
	if o.plan.Action != NeverFill {
		b.wg.Add(1)
		go b.work(o)
	}
	return nil
}

func (b *Broker) plan(o Order) Plan {
	var p Plan
	if b.cfg.Scenario != nil {
		p = b.cfg.Scenario(o)
	}
	if p.Action == Default && b.cfg.RejectProbability > 0 && b.rng.Float64() < b.cfg.RejectProbability {
		p.Action = Reject
	}
	return p
}

// lookup finds the order a cancel or replace refers to, or answers with a
// cancel reject and returns nil.
func (b *Broker) lookup(msg *quickfix.Message, id quickfix.SessionID, responseTo string) (*simOrder, string, string, quickfix.MessageRejectError) {
	clOrdID, err := msg.Body.GetString(tag.ClOrdID)
	if err != nil {
		return nil, "", "", err
	}
	orig, err := msg.Body.GetString(tag.OrigClOrdID)
	if err != nil {
		return nil, "", "", err
	}
	if possDup, _ := msg.Header.GetBool(tag.PossDupFlag); possDup && b.orders[orderKey{id, clOrdID}] != nil {
		return nil, "", "", nil // a resend of a request the broker already took
	}
	o := b.orders[orderKey{id, orig}]
	switch {
	case o == nil:
		b.cancelReject(id, clOrdID, orig, "", "8", responseTo, "1", "unknown order")
	case b.orders[orderKey{id, clOrdID}] != nil:
		b.cancelReject(id, clOrdID, o.clOrdID, o.orderID, o.status, responseTo, "6", "duplicate ClOrdID")
	case o.clOrdID != orig:
		b.cancelReject(id, clOrdID, o.clOrdID, o.orderID, o.status, responseTo, "1", "OrigClOrdID is not the order's live ClOrdID")
	case o.done:
		b.cancelReject(id, clOrdID, o.clOrdID, o.orderID, o.status, responseTo, "0", "too late: order is done")
	case responseTo == "1" && o.plan.RejectCancel:
		b.cancelReject(id, clOrdID, o.clOrdID, o.orderID, o.status, responseTo, "0", "too late to cancel")
	case responseTo == "2" && o.plan.RejectReplace:
		b.cancelReject(id, clOrdID, o.clOrdID, o.orderID, o.status, responseTo, "2", "replace refused by broker")
	default:
		return o, clOrdID, orig, nil
	}
	return nil, "", "", nil
}

func (b *Broker) onCancel(msg *quickfix.Message, id quickfix.SessionID) quickfix.MessageRejectError {
	o, clOrdID, orig, err := b.lookup(msg, id, "1")
	if o == nil {
		return err
	}
	b.orders[orderKey{id, clOrdID}] = o
	o.status = "6"
	b.send(o, o.snapshot(report{ev: evPendingCancel, execID: b.newID("E"), clOrdID: clOrdID, origClOrdID: orig}))
	o.status, o.done, o.clOrdID = "4", true, clOrdID
	b.send(o, o.snapshot(report{ev: evCancelled, execID: b.newID("E"), origClOrdID: orig}))
	return nil
}

func (b *Broker) onReplace(msg *quickfix.Message, id quickfix.SessionID) quickfix.MessageRejectError {
	qty, err := decimalField(msg, tag.OrderQty, true)
	if err != nil {
		return err
	}
	price, err := decimalField(msg, tag.Price, false)
	if err != nil {
		return err
	}
	o, clOrdID, orig, err := b.lookup(msg, id, "2")
	if o == nil {
		return err
	}
	if qty.LessThan(o.cum) || !qty.IsPositive() {
		b.cancelReject(id, clOrdID, o.clOrdID, o.orderID, o.status, "2", "99", "new quantity is below the filled quantity")
		return nil
	}
	b.orders[orderKey{id, clOrdID}] = o
	o.status = "E"
	b.send(o, o.snapshot(report{ev: evPendingReplace, execID: b.newID("E"), clOrdID: clOrdID, origClOrdID: orig}))
	o.qty, o.clOrdID = qty, clOrdID
	if price.IsPositive() {
		o.price = price
	}
	o.status = o.workingStatus()
	o.done = o.status == "2"
	b.send(o, o.snapshot(report{ev: evReplaced, execID: b.newID("E"), origClOrdID: orig}))
	return nil
}
