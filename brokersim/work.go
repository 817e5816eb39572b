package brokersim

import (
	"time"

	"github.com/shopspring/decimal"
)

var (
	half  = decimal.New(5, -1)
	one   = decimal.NewFromInt(1)
	nudge = decimal.New(5, -2)
)

// work plays an order's plan: fills over time, then any post-fill action.
func (b *Broker) work(o *simOrder) {
	defer b.wg.Done()
	switch o.plan.Action {
	case FillAtOnce:
		b.fillSteps(o, 1, one)
	case PartialThenWait:
		b.fillSteps(o, 1, half)
		return
	case UnsolicitedCancel, DoneForDay:
		b.fillSteps(o, 1, half)
		b.finish(o)
		return
	default:
		b.fillSteps(o, b.cfg.Fill.Fills, b.cfg.Fill.Ratio)
	}
	b.after(o)
}

// fillSteps fills ratio of the order in up to n executions, one per latency
// period, re-reading the order each time so replaces take effect.
func (b *Broker) fillSteps(o *simOrder, n int, ratio decimal.Decimal) {
	for i := range n {
		if !b.sleep(b.cfg.Fill.Latency) || (i > 0 && !b.wait(o.plan.Gate)) {
			return
		}
		if !b.fillStep(o, n-i, ratio) {
			return
		}
	}
}

func (b *Broker) fillStep(o *simOrder, stepsLeft int, ratio decimal.Decimal) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if o.done {
		return false
	}
	remaining := o.qty.Mul(ratio).Floor().Sub(o.cum)
	if !remaining.IsPositive() {
		remaining = o.qty.Mul(ratio).Sub(o.cum) // fractional quantities
		if !remaining.IsPositive() {
			return false
		}
	}
	q := remaining.Div(decimal.NewFromInt(int64(stepsLeft))).Floor()
	if !q.IsPositive() || stepsLeft == 1 {
		q = remaining
	}
	px := b.fillPrice(o)
	o.cum = o.cum.Add(q)
	o.notional = o.notional.Add(q.Mul(px))
	execID := b.newID("E")
	o.fills = append(o.fills, fillRec{execID, q, px})
	o.status = o.workingStatus()
	o.done = o.status == "2"
	b.addTotal(o, q, q.Mul(px))
	o.lastFill = o.snapshot(report{ev: evFill, execID: execID, lastQty: q, lastPx: px})
	b.send(o, o.lastFill)
	return true
}

// fillPrice is the limit price, or the symbol's reference price with a
// small deterministic jitter for market and stop orders.
func (b *Broker) fillPrice(o *simOrder) decimal.Decimal {
	if o.price.IsPositive() {
		return o.price
	}
	ref, ok := b.cfg.Prices[o.symbol]
	if !ok {
		ref = decimal.NewFromInt(100)
	}
	bp := int64(b.rng.IntN(21) - 10) // -10..+10 basis points
	return ref.Mul(decimal.New(10000+bp, -4)).Round(2)
}

// finish ends a working order without a request: unsolicited cancel or done for day.
func (b *Broker) finish(o *simOrder) {
	if !b.sleep(b.cfg.Fill.Latency) {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if o.done {
		return
	}
	r := report{ev: evCancelled, execID: b.newID("E"), text: "unsolicited cancel by broker"}
	o.status = "4"
	if o.plan.Action == DoneForDay {
		r.ev, r.text, o.status = evDoneForDay, "done for day", "3"
	}
	o.done = true
	b.send(o, o.snapshot(r))
}

// after busts, corrects or duplicates the last fill of a filled order.
func (b *Broker) after(o *simOrder) {
	if o.plan.After == Nothing || !b.sleep(b.cfg.Fill.Latency) {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(o.fills) == 0 {
		return
	}
	last := o.fills[len(o.fills)-1]
	switch o.plan.After {
	case Bust:
		o.fills = o.fills[:len(o.fills)-1]
		o.cum = o.cum.Sub(last.qty)
		o.notional = o.notional.Sub(last.qty.Mul(last.px))
		if o.status == "2" {
			o.done = false
			o.status = o.workingStatus()
		}
		b.addTotal(o, last.qty.Neg(), last.qty.Mul(last.px).Neg())
		b.send(o, o.snapshot(report{ev: evBust, execID: b.newID("E"), execRefID: last.execID,
			lastQty: last.qty, lastPx: last.px, text: "trade busted"}))
	case Correct:
		px := last.px.Sub(nudge)
		if !px.IsPositive() {
			px = last.px.Add(nudge)
		}
		diff := last.qty.Mul(px.Sub(last.px))
		o.fills[len(o.fills)-1].px = px
		o.notional = o.notional.Add(diff)
		b.addTotal(o, decimal.Zero, diff)
		b.send(o, o.snapshot(report{ev: evCorrect, execID: b.newID("E"), execRefID: last.execID,
			lastQty: last.qty, lastPx: px, text: "trade corrected"}))
	case Duplicate:
		r := o.lastFill
		r.possResend = true
		b.send(o, r)
	}
}

// sleep pauses for d unless the broker stops; it reports whether to go on.
func (b *Broker) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-b.stop:
		return false
	}
}

// wait blocks until gate is closed (a nil gate is open) or the broker stops.
func (b *Broker) wait(gate <-chan struct{}) bool {
	if gate == nil {
		return true
	}
	select {
	case <-gate:
		return true
	case <-b.stop:
		return false
	}
}
