package portfolio

import (
	"fmt"

	"github.com/shopspring/decimal"
)

// Side is the direction of a trade or order.
type Side string

// The sides Ballast trades.
const (
	Buy       Side = "buy"
	Sell      Side = "sell"
	SellShort Side = "sell_short"
)

// ParseSide accepts "buy", "sell" and "sell_short".
func ParseSide(s string) (Side, error) {
	switch Side(s) {
	case Buy, Sell, SellShort:
		return Side(s), nil
	}
	return "", fmt.Errorf("side %q is not buy, sell or sell_short", s)
}

// Sign is +1 for a buy and -1 for a sale: the direction it moves the position.
func (s Side) Sign() decimal.Decimal {
	if s == Buy {
		return decimal.NewFromInt(1)
	}
	return decimal.NewFromInt(-1)
}

// Trade is a proposed change to a holding: what rebalancing produces, what
// compliance checks and what becomes an order.
type Trade struct {
	Portfolio  string
	Symbol     string
	Side       Side
	Quantity   decimal.Decimal // always positive
	LimitPrice decimal.Decimal // marketable limit; zero for a market order
	Reason     string
}

// Notional is quantity × limit price.
func (t Trade) Notional() decimal.Decimal { return t.Quantity.Mul(t.LimitPrice) }

// Delta is the signed change the trade makes to the position's quantity.
func (t Trade) Delta() decimal.Decimal { return t.Quantity.Mul(t.Side.Sign()) }
