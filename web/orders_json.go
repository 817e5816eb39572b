package web

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/order"
	"github.com/ballast-oms/ballast/portfolio"
	"github.com/ballast-oms/ballast/user"
)

// orderJSON is an order in the API; decimals are strings, times RFC 3339 UTC.
type orderJSON struct {
	ID          int64      `json:"id"`
	Portfolio   string     `json:"portfolio"`
	Symbol      string     `json:"symbol"`
	Side        string     `json:"side"`
	Quantity    string     `json:"quantity"`
	OrderType   string     `json:"order_type"`
	LimitPrice  string     `json:"limit_price,omitempty"`
	StopPrice   string     `json:"stop_price,omitempty"`
	TimeInForce string     `json:"time_in_force"`
	ExpireDate  string     `json:"expire_date,omitempty"`
	Broker      string     `json:"broker,omitempty"`
	Notes       string     `json:"notes,omitempty"`
	Status      string     `json:"status"`
	FilledQty   string     `json:"filled_qty"`
	LeavesQty   string     `json:"leaves_qty"`
	AvgPrice    string     `json:"avg_price"`
	ProposedBy  string     `json:"proposed_by"`
	ApprovedBy  string     `json:"approved_by,omitempty"`
	BlockID     int64      `json:"block_id,omitempty"`
	CreatedAt   string     `json:"created_at"`
	ExpiresAt   string     `json:"expires_at,omitempty"`
	Compliance  *checkJSON `json:"compliance,omitempty"`
}

// checkJSON is a compliance result.
type checkJSON struct {
	Verdict  string `json:"verdict"`
	Findings string `json:"findings,omitempty"`
}

// blockJSON is a block in the API.
type blockJSON struct {
	ID          int64  `json:"id"`
	Symbol      string `json:"symbol"`
	Side        string `json:"side"`
	OrderType   string `json:"order_type"`
	LimitPrice  string `json:"limit_price,omitempty"`
	Broker      string `json:"broker"`
	Status      string `json:"status"`
	Quantity    string `json:"quantity"`
	FilledQty   string `json:"filled_qty"`
	LeavesQty   string `json:"leaves_qty"`
	AvgPrice    string `json:"avg_price"`
	ClOrdID     string `json:"cl_ord_id,omitempty"`
	CreatedBy   string `json:"created_by"`
	CreatedAt   string `json:"created_at"`
	ReleasedAt  string `json:"released_at,omitempty"`
	TimeInForce string `json:"time_in_force"`
}

// eventJSON is one audit event.
type eventJSON struct {
	ID        int64  `json:"id"`
	At        string `json:"at"`
	Actor     string `json:"actor"`
	Action    string `json:"action"`
	OrderID   int64  `json:"order_id,omitempty"`
	BlockID   int64  `json:"block_id,omitempty"`
	Portfolio string `json:"portfolio,omitempty"`
	From      string `json:"from,omitempty"`
	To        string `json:"to,omitempty"`
	Reason    string `json:"reason,omitempty"`
	Details   string `json:"details,omitempty"`
}

func optTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func optDecimal(d decimal.Decimal) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}

func toOrderJSON(o order.Order) orderJSON {
	j := orderJSON{ID: o.ID, Portfolio: o.Portfolio, Symbol: o.Symbol, Side: string(o.Side), Quantity: o.Quantity.String(),
		OrderType: string(o.Type), LimitPrice: optDecimal(o.LimitPrice), StopPrice: optDecimal(o.StopPrice),
		TimeInForce: string(o.TimeInForce), Broker: o.Broker, Notes: o.Notes, Status: string(o.Status),
		FilledQty: o.FilledQty.String(), LeavesQty: o.Leaves().String(), AvgPrice: o.AvgPx.String(),
		ProposedBy: o.ProposedBy, ApprovedBy: o.ApprovedBy, BlockID: o.BlockID, CreatedAt: optTime(o.CreatedAt),
		ExpiresAt: optTime(o.ExpiresAt)}
	if !o.ExpireDate.IsZero() {
		j.ExpireDate = o.ExpireDate.UTC().Format(time.DateOnly)
	}
	return j
}

func toBlockJSON(b order.Block) blockJSON {
	return blockJSON{ID: b.ID, Symbol: b.Symbol, Side: string(b.Side), OrderType: string(b.Type), LimitPrice: optDecimal(b.LimitPrice),
		Broker: b.Broker, Status: string(b.Status), Quantity: b.Totals.OrderQty.String(), FilledQty: b.Totals.CumQty.String(),
		LeavesQty: b.Totals.Leaves(b.Status).String(), AvgPrice: b.Totals.AvgPx().String(), ClOrdID: b.ClOrdID,
		CreatedBy: b.CreatedBy, CreatedAt: optTime(b.CreatedAt), ReleasedAt: optTime(b.ReleasedAt), TimeInForce: string(b.TimeInForce)}
}

func toEventJSON(e order.Event) eventJSON {
	return eventJSON{ID: e.ID, At: e.At.UTC().Format(time.RFC3339Nano), Actor: e.Actor, Action: e.Action, OrderID: e.OrderID,
		BlockID: e.BlockID, Portfolio: e.Portfolio, From: string(e.From), To: string(e.To), Reason: e.Reason, Details: e.Details}
}

// orderInput is a new order as the API and the entry form send it.
type orderInput struct {
	Portfolio   string `json:"portfolio"`
	Symbol      string `json:"symbol"`
	Side        string `json:"side"`
	Quantity    string `json:"quantity"`
	OrderType   string `json:"order_type"`
	LimitPrice  string `json:"limit_price"`
	StopPrice   string `json:"stop_price"`
	TimeInForce string `json:"time_in_force"`
	ExpireDate  string `json:"expire_date"`
	Broker      string `json:"broker"`
	Notes       string `json:"notes"`
}

// maxNotes is the most characters an order's notes may have, by form or API.
const maxNotes = 1000

// toOrder parses the input; field problems come back as order.FieldErrors
// (which match order.ErrInvalid) so they read like the Service's own.
func (in orderInput) toOrder() (order.Order, error) {
	var fe order.FieldErrors
	dec := func(field, s string) decimal.Decimal {
		s = strings.TrimSpace(s)
		if s == "" {
			return decimal.Zero
		}
		v, err := portfolio.ParseDecimal(s) // plain notation only, as in import files
		if err != nil {
			fe = append(fe, order.FieldError{Field: field, Reason: numberProblem(err, fmt.Sprintf("%q is not a decimal number", s))})
		}
		return v
	}
	o := order.Order{Portfolio: strings.TrimSpace(in.Portfolio), Symbol: strings.ToUpper(strings.TrimSpace(in.Symbol)),
		Side: portfolio.Side(strings.TrimSpace(in.Side)), Quantity: dec("quantity", in.Quantity),
		Type: order.OrdType(strings.TrimSpace(in.OrderType)), LimitPrice: dec("limit_price", in.LimitPrice),
		StopPrice: dec("stop_price", in.StopPrice), TimeInForce: order.TimeInForce(strings.TrimSpace(in.TimeInForce)),
		Broker: strings.TrimSpace(in.Broker), Notes: strings.TrimSpace(in.Notes)}
	if n := utf8.RuneCountInString(o.Notes); n > maxNotes {
		fe = append(fe, order.FieldError{Field: "notes", Reason: fmt.Sprintf("has %d characters, at most %d", n, maxNotes)})
	}
	if o.Type == "" {
		o.Type = order.Market
	}
	if o.TimeInForce == "" {
		o.TimeInForce = order.Day
	}
	if s := strings.TrimSpace(in.ExpireDate); s != "" {
		t, err := time.Parse(time.DateOnly, s)
		if err != nil {
			fe = append(fe, order.FieldError{Field: "expire_date", Reason: fmt.Sprintf("%q is not a date (YYYY-MM-DD)", s)})
		}
		o.ExpireDate = t
	}
	if len(fe) > 0 {
		return o, fe
	}
	return o, nil
}

// actorOf is the order book's view of the signed-in user.
func actorOf(u user.User) order.Actor { return order.Actor{Name: u.Name, Roles: u.Roles} }

// orderFault turns an order-book refusal into a web problem whose message
// says why: forbidden → 403, conflict and duplicate → 409, invalid → 422,
// not found → 404. Other errors pass through unchanged.
func orderFault(err error) error {
	k := kindInternal
	switch {
	case errors.Is(err, order.ErrForbidden):
		k = kindForbidden
	case errors.Is(err, order.ErrConflict), errors.Is(err, order.ErrDuplicate):
		k = kindConflict
	case errors.Is(err, order.ErrInvalid):
		k = kindInvalid
	case errors.Is(err, order.ErrNotFound):
		k = kindNotFound
	default:
		return err
	}
	return &problem{kind: k, msg: refusalText(err), err: err}
}

// refusalText is the error's message without the trailing kind word that
// the order package's %w wrapping leaves ("…: forbidden").
func refusalText(err error) string {
	msg := err.Error()
	for _, kw := range []error{order.ErrForbidden, order.ErrConflict, order.ErrInvalid, order.ErrNotFound, order.ErrDuplicate} {
		msg = strings.TrimSuffix(msg, ": "+kw.Error())
	}
	return msg
}

// fieldProblems lists the field errors in err, if any, by JSON field name.
func fieldProblems(err error) map[string]string {
	var fe order.FieldErrors
	if !errors.As(err, &fe) {
		return nil
	}
	out := make(map[string]string, len(fe))
	for _, f := range fe {
		out[f.Field] = f.Reason
	}
	return out
}
