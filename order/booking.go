package order

import (
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/portfolio"
)

// AvgCostPlaces is the number of decimal places an average cost keeps. Average
// costs are rounded half to even at this precision; quantities, cash and
// realised P&L are never rounded (they are sums of exact products).
const AvgCostPlaces = 8

// Fill is a quantity bought or sold at a price, as booked into one portfolio.
type Fill struct {
	Side     portfolio.Side
	Quantity decimal.Decimal // positive
	Price    decimal.Decimal // positive
}

// Booking is what booking one fill changed in a position and its cash; it is
// kept with the fill so that a bust or a correction can reverse it.
type Booking struct {
	QtyDelta      decimal.Decimal // signed change of quantity
	CostDelta     decimal.Decimal // change of the cost basis Quantity × AvgCost
	RealisedDelta decimal.Decimal // P&L realised by the closing part
	CashDelta     decimal.Decimal // −qty×px for a buy, +qty×px for a sale
	ThroughZero   bool            // the fill closed the position and opened one the other way
}

// Book applies f to position p and cash and returns the new position, the new
// cash and the Booking that records the change. The rules:
//
//   - a fill in the direction of the position (or on a flat one) opens: the
//     quantity grows and AvgCost becomes the weighted average
//     (|q|·avg + qty·px) / (|q| + qty), rounded to AvgCostPlaces;
//   - a fill against the position closes: it realises (px − avg) × closed for
//     a long and (avg − px) × closed for a short, and AvgCost is unchanged;
//   - a fill larger than the position goes through zero: it closes the whole
//     position (realising P&L) and opens the rest at px; ThroughZero says so.
//     Sell and sell short book alike (a short is a negative quantity); whether
//     a plain sell may go short is compliance's question, not booking's;
//   - a flat position has AvgCost zero;
//   - cash moves by qty × px, out for a buy and in for a sale; fees are not booked.
func Book(p portfolio.Position, cash decimal.Decimal, f Fill) (portfolio.Position, decimal.Decimal, Booking, error) {
	if err := f.check(); err != nil {
		return p, cash, Booking{}, err
	}
	s := f.Side.Sign()
	q, avg := p.Quantity, p.AvgCost
	b := Booking{QtyDelta: f.Quantity.Mul(s), CashDelta: f.Quantity.Mul(f.Price).Mul(s).Neg()}
	newQ := q.Add(b.QtyDelta)
	newAvg := avg
	switch {
	case q.IsZero() || q.Sign() == s.Sign():
		newAvg = divRound(q.Abs().Mul(avg).Add(f.Quantity.Mul(f.Price)), newQ.Abs())
	default:
		closed := decimal.Min(f.Quantity, q.Abs())
		b.RealisedDelta = f.Price.Sub(avg).Mul(closed).Mul(decimal.NewFromInt(int64(q.Sign())))
		if f.Quantity.GreaterThan(q.Abs()) {
			newAvg, b.ThroughZero = f.Price.RoundBank(AvgCostPlaces), true
		}
	}
	if newQ.IsZero() {
		newAvg = decimal.Zero
	}
	b.CostDelta = newQ.Mul(newAvg).Sub(q.Mul(avg))
	p.Quantity, p.AvgCost = newQ, newAvg
	p.RealisedPnL = p.RealisedPnL.Add(b.RealisedDelta)
	return p, cash.Add(b.CashDelta), b, nil
}

// Reverse undoes booking b on position p and cash, for a bust or a
// re-allocation. Quantity and cash come back exactly; the cost basis loses
// b.CostDelta and realised P&L loses b.RealisedDelta, so when nothing else
// was booked in between, the position is exactly the one before b (and the
// old AvgCost, which kept AvgCostPlaces, comes back).
//
// When a trade that closed part of the position was booked in between, it
// realised its P&L against an average cost that included b. Reversing b
// then leaves a cost basis that no longer matches the quantity; on a flat
// position that residue is realised, so that cost basis less realised P&L
// still moves exactly against cash (what was paid for the holding, net, is
// neither lost nor made up). Example: 100 @ 10, buy 100 @ 20 (200 @ 15),
// sell 100 @ 15 (realised 0), bust the buy: flat, realised +500, which is
// the sale of the original 100 @ 10 at 15. On a position that is not flat
// the residue stays in its AvgCost.
func Reverse(p portfolio.Position, cash decimal.Decimal, b Booking) (portfolio.Position, decimal.Decimal) {
	newQ := p.Quantity.Sub(b.QtyDelta)
	cost := p.Quantity.Mul(p.AvgCost).Sub(b.CostDelta)
	p.RealisedPnL = p.RealisedPnL.Sub(b.RealisedDelta)
	p.AvgCost = decimal.Zero
	if newQ.IsZero() {
		p.RealisedPnL = p.RealisedPnL.Sub(cost)
	} else {
		p.AvgCost = divRound(cost, newQ)
	}
	p.Quantity = newQ
	return p, cash.Sub(b.CashDelta)
}

// Correct reverses the earlier booking old and books f in its place: a
// correction of an execution's quantity or price.
func Correct(p portfolio.Position, cash decimal.Decimal, old Booking, f Fill) (portfolio.Position, decimal.Decimal, Booking, error) {
	if err := f.check(); err != nil {
		return p, cash, Booking{}, err
	}
	p, cash = Reverse(p, cash, old)
	return Book(p, cash, f)
}

func (f Fill) check() error {
	if _, err := portfolio.ParseSide(string(f.Side)); err != nil {
		return fmt.Errorf("order: book: %v: %w", err, ErrInvalid)
	}
	if !f.Quantity.IsPositive() || !f.Price.IsPositive() {
		return fmt.Errorf("order: book: quantity %s and price %s must be positive: %w", f.Quantity, f.Price, ErrInvalid)
	}
	return nil
}

// divRound is num / den rounded half to even at AvgCostPlaces, computed
// exactly (one rounding, no intermediate precision).
func divRound(num, den decimal.Decimal) decimal.Decimal {
	q, r := num.QuoRem(den, AvgCostPlaces)
	if r.IsZero() {
		return q
	}
	unit := decimal.New(1, -AvgCostPlaces)
	twice := r.Abs().Mul(decimal.NewFromInt(2))
	half := den.Abs().Mul(unit)
	c := twice.Cmp(half)
	if c > 0 || (c == 0 && !q.Shift(AvgCostPlaces).Mod(decimal.NewFromInt(2)).IsZero()) {
		if num.Sign()*den.Sign() < 0 {
			return q.Sub(unit)
		}
		return q.Add(unit)
	}
	return q
}
