package fixclient

import (
	"fmt"
	"time"

	"github.com/quickfixgo/quickfix"
	"github.com/quickfixgo/tag"
	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/order"
	"github.com/ballast-oms/ballast/portfolio"
)

var sideCodes = map[portfolio.Side]string{portfolio.Buy: "1", portfolio.Sell: "2", portfolio.SellShort: "5"}

var ordTypeCodes = map[order.OrdType]string{order.Market: "1", order.Limit: "2", order.Stop: "3", order.StopLimit: "4"}

var tifCodes = map[order.TimeInForce]string{
	order.Day: "0", order.GTC: "1", order.OPG: "2", order.IOC: "3", order.FOK: "4", order.GTD: "6", order.CLS: "7",
}

func invalid(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidRequest, fmt.Sprintf(format, a...))
}

func newAppMessage(begin, msgType string) *quickfix.Message {
	m := quickfix.NewMessage()
	m.Header.SetString(tag.BeginString, begin)
	m.Header.SetString(tag.MsgType, msgType)
	return m
}

func setDecimal(fm *quickfix.Body, t quickfix.Tag, d decimal.Decimal) {
	fm.SetString(t, d.String())
}

func setTime(fm *quickfix.Body, t quickfix.Tag, at time.Time) {
	fm.SetField(t, quickfix.FIXUTCTimestamp{Time: at.UTC(), Precision: quickfix.Millis})
}

// BuildNewOrderSingle spells r as a NewOrderSingle (35=D) for begin
// ("FIX.4.4" or "FIX.4.2"); now stands in for a zero TransactAt.
func BuildNewOrderSingle(begin string, r order.NewOrderRequest, now time.Time) (*quickfix.Message, error) {
	m := newAppMessage(begin, "D")
	if err := setOrderFields(&m.Body, r, now); err != nil {
		return nil, fmt.Errorf("fixclient: new order %s: %w", r.ClOrdID, err)
	}
	return m, nil
}

// BuildCancelRequest spells r as an OrderCancelRequest (35=F).
func BuildCancelRequest(begin string, r order.CancelRequest, now time.Time) (*quickfix.Message, error) {
	switch {
	case r.ClOrdID == "" || r.OrigClOrdID == "":
		return nil, fmt.Errorf("fixclient: cancel %q: %w", r.ClOrdID, invalid("ClOrdID and OrigClOrdID are required"))
	case r.Symbol == "":
		return nil, fmt.Errorf("fixclient: cancel %s: %w", r.ClOrdID, invalid("symbol is required"))
	}
	side, ok := sideCodes[r.Side]
	if !ok {
		return nil, fmt.Errorf("fixclient: cancel %s: %w", r.ClOrdID, invalid("side %q", r.Side))
	}
	m := newAppMessage(begin, "F")
	b := &m.Body
	b.SetString(tag.ClOrdID, r.ClOrdID)
	b.SetString(tag.OrigClOrdID, r.OrigClOrdID)
	if r.BrokerID != "" {
		b.SetString(tag.OrderID, r.BrokerID)
	}
	b.SetString(tag.Symbol, r.Symbol)
	b.SetString(tag.Side, side)
	if r.Quantity.IsPositive() {
		setDecimal(b, tag.OrderQty, r.Quantity)
	}
	setTime(b, tag.TransactTime, orNow(r.TransactAt, now))
	return m, nil
}

// BuildReplaceRequest spells r as an OrderCancelReplaceRequest (35=G).
func BuildReplaceRequest(begin string, r order.ReplaceRequest, now time.Time) (*quickfix.Message, error) {
	if r.OrigClOrdID == "" {
		return nil, fmt.Errorf("fixclient: replace %q: %w", r.ClOrdID, invalid("OrigClOrdID is required"))
	}
	m := newAppMessage(begin, "G")
	if err := setOrderFields(&m.Body, r.NewOrderRequest, now); err != nil {
		return nil, fmt.Errorf("fixclient: replace %s: %w", r.ClOrdID, err)
	}
	m.Body.SetString(tag.OrigClOrdID, r.OrigClOrdID)
	if r.BrokerID != "" {
		m.Body.SetString(tag.OrderID, r.BrokerID)
	}
	return m, nil
}

func orNow(t, now time.Time) time.Time {
	if t.IsZero() {
		return now
	}
	return t
}

// setOrderFields writes the fields NewOrderSingle and
// OrderCancelReplaceRequest share, in FIX 4.2 and 4.4 alike.
func setOrderFields(b *quickfix.Body, r order.NewOrderRequest, now time.Time) error {
	side, ok := sideCodes[r.Side]
	if !ok {
		return invalid("side %q", r.Side)
	}
	ordType, ok := ordTypeCodes[r.Type]
	if !ok {
		return invalid("order type %q", r.Type)
	}
	tif := r.TimeInForce
	if tif == "" {
		tif = order.Day
	}
	tifCode, ok := tifCodes[tif]
	if !ok {
		return invalid("time in force %q", r.TimeInForce)
	}
	if err := checkOrder(r, tif); err != nil {
		return err
	}
	b.SetString(tag.ClOrdID, r.ClOrdID)
	b.SetString(tag.HandlInst, "1") // automated, private, no broker intervention
	if r.Account != "" {
		b.SetString(tag.Account, r.Account)
	}
	b.SetString(tag.Symbol, r.Symbol)
	b.SetString(tag.Side, side)
	setDecimal(b, tag.OrderQty, r.Quantity)
	b.SetString(tag.OrdType, ordType)
	if r.Type == order.Limit || r.Type == order.StopLimit {
		setDecimal(b, tag.Price, r.LimitPrice)
	}
	if r.Type == order.Stop || r.Type == order.StopLimit {
		setDecimal(b, tag.StopPx, r.StopPrice)
	}
	b.SetString(tag.TimeInForce, tifCode)
	if tif == order.GTD {
		b.SetString(tag.ExpireDate, r.ExpireDate.Format("20060102"))
	}
	setTime(b, tag.TransactTime, orNow(r.TransactAt, now))
	return nil
}

func checkOrder(r order.NewOrderRequest, tif order.TimeInForce) error {
	switch {
	case r.ClOrdID == "":
		return invalid("ClOrdID is required")
	case r.Symbol == "":
		return invalid("symbol is required")
	case !r.Quantity.IsPositive():
		return invalid("quantity %s is not positive", r.Quantity)
	case (r.Type == order.Limit || r.Type == order.StopLimit) && !r.LimitPrice.IsPositive():
		return invalid("%s order needs a positive limit price", r.Type)
	case (r.Type == order.Stop || r.Type == order.StopLimit) && !r.StopPrice.IsPositive():
		return invalid("%s order needs a positive stop price", r.Type)
	case tif == order.GTD && r.ExpireDate.IsZero():
		return invalid("GTD order needs an expire date")
	}
	return nil
}
