package fixclient

import (
	"errors"
	"fmt"
	"strings"

	"github.com/quickfixgo/quickfix"
	"github.com/quickfixgo/tag"
	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/order"
	"github.com/ballast-oms/ballast/portfolio"
)

// ErrUnmappable is returned for an inbound message that cannot be mapped.
var ErrUnmappable = errors.New("unmappable FIX message")

var execTypeKinds = map[string]order.ExecKind{
	"0": order.ExecNew,
	"1": order.ExecPartialFill, // FIX 4.2, and 4.4 acceptors that keep the 4.2 style
	"2": order.ExecFill,
	"3": order.ExecDoneForDay,
	"4": order.ExecCancelled,
	"5": order.ExecReplaced,
	"6": order.ExecPendingCancel,
	"7": order.ExecStatus, // stopped
	"8": order.ExecRejected,
	"9": order.ExecStatus, // suspended
	"A": order.ExecPendingNew,
	"B": order.ExecStatus, // calculated
	"C": order.ExecExpired,
	"D": order.ExecRestated,
	"E": order.ExecPendingReplace,
	"G": order.ExecCorrect,
	"H": order.ExecBust,
	"I": order.ExecStatus,
}

// ExecKindOf normalises ExecTransType(20, FIX 4.2; empty on 4.4), ExecType(150)
// and OrdStatus(39) into an ExecKind. It is lenient: FIX 4.2-style
// ExecType 1/2 on a 4.4 session map to partial fill / fill, and 4.4-style
// ExecType F/G/H/I are accepted on 4.2.
func ExecKindOf(execTransType, execType, ordStatus string) (order.ExecKind, error) {
	switch execTransType {
	case "", "0":
	case "1":
		return order.ExecBust, nil
	case "2":
		return order.ExecCorrect, nil
	case "3":
		return order.ExecStatus, nil
	default:
		return "", fmt.Errorf("%w: ExecTransType %q", ErrUnmappable, execTransType)
	}
	if execType == "F" { // trade: fill or partial by the order's status
		if ordStatus == "2" {
			return order.ExecFill, nil
		}
		return order.ExecPartialFill, nil
	}
	if k, ok := execTypeKinds[execType]; ok {
		return k, nil
	}
	return "", fmt.Errorf("%w: ExecType %q", ErrUnmappable, execType)
}

// MapExecutionReport normalises a FIX 4.4 or 4.2 ExecutionReport (35=8).
// It is pure: Session, Broker and ReceivedAt are left for the caller.
func MapExecutionReport(msg *quickfix.Message) (order.ExecutionReport, error) {
	var r order.ExecutionReport
	if t, _ := msg.MsgType(); t != "8" {
		return r, fmt.Errorf("%w: MsgType %q is not an execution report", ErrUnmappable, t)
	}
	b := &msg.Body
	r.ExecID = str(b, tag.ExecID)
	execType := str(b, tag.ExecType)
	if r.ExecID == "" || execType == "" {
		return r, fmt.Errorf("%w: execution report without ExecID(17) or ExecType(150)", ErrUnmappable)
	}
	r.OrdStatus = str(b, tag.OrdStatus)
	kind, err := ExecKindOf(str(b, tag.ExecTransType), execType, r.OrdStatus)
	if err != nil {
		return r, err
	}
	r.Kind = kind
	r.ExecRefID = str(b, tag.ExecRefID)
	r.ClOrdID = str(b, tag.ClOrdID)
	r.OrigClOrdID = str(b, tag.OrigClOrdID)
	r.BrokerID = str(b, tag.OrderID)
	r.Symbol = str(b, tag.Symbol)
	r.Side = sideOf(str(b, tag.Side))
	r.Text = str(b, tag.Text)
	for _, f := range []struct {
		t   quickfix.Tag
		dst *decimal.Decimal
	}{
		{tag.LastQty, &r.LastQty}, {tag.LastPx, &r.LastPx}, {tag.CumQty, &r.CumQty},
		{tag.LeavesQty, &r.LeavesQty}, {tag.AvgPx, &r.AvgPx}, {tag.OrderQty, &r.OrderQty}, {tag.Price, &r.Price},
	} {
		if *f.dst, err = dec(b, f.t); err != nil {
			return r, err
		}
	}
	if t, err := b.GetTime(tag.TransactTime); err == nil {
		r.TransactAt = t.UTC()
	}
	r.PossDup = possDup(msg)
	r.SeqNum, _ = msg.Header.GetInt(tag.MsgSeqNum)
	r.Raw = msg.String()
	return r, nil
}

var cxlRejReasons = map[string]string{
	"0": "too late to cancel", "1": "unknown order", "2": "broker option",
	"3": "already pending cancel or replace", "4": "unable to process mass cancel",
	"5": "OrigOrdModTime mismatch", "6": "duplicate ClOrdID", "99": "other",
}

// MapCancelReject normalises an OrderCancelReject (35=9).
func MapCancelReject(msg *quickfix.Message) (order.CancelReject, error) {
	var r order.CancelReject
	if t, _ := msg.MsgType(); t != "9" {
		return r, fmt.Errorf("%w: MsgType %q is not a cancel reject", ErrUnmappable, t)
	}
	b := &msg.Body
	r.ClOrdID = str(b, tag.ClOrdID)
	r.OrigClOrdID = str(b, tag.OrigClOrdID)
	r.BrokerID = str(b, tag.OrderID)
	r.OrdStatus = str(b, tag.OrdStatus)
	switch str(b, tag.CxlRejResponseTo) {
	case "1":
		r.ResponseTo = "cancel"
	case "2":
		r.ResponseTo = "replace"
	}
	r.Reason = reason(cxlRejReasons, str(b, tag.CxlRejReason), str(b, tag.Text))
	r.Raw = msg.String()
	return r, nil
}

var sessionRejectReasons = map[string]string{
	"0": "invalid tag number", "1": "required tag missing", "2": "tag not defined for this message type",
	"3": "undefined tag", "4": "tag specified without a value", "5": "value is incorrect (out of range) for this tag",
	"6": "incorrect data format for value", "9": "CompID problem", "10": "SendingTime accuracy problem",
	"11": "invalid MsgType", "13": "tag appears more than once", "99": "other",
}

var businessRejectReasons = map[string]string{
	"0": "other", "1": "unknown ID", "2": "unknown security", "3": "unsupported message type",
	"4": "application not available", "5": "conditionally required field missing", "6": "not authorized",
	"7": "DeliverTo firm not available at this time", "18": "invalid price increment",
}

// MapReject normalises a session Reject (35=3) or BusinessMessageReject
// (35=j). ClOrdID is taken from BusinessRejectRefID(379) when present; the
// Client fills it from the outbound sequence number otherwise.
func MapReject(msg *quickfix.Message) (order.SessionReject, error) {
	var r order.SessionReject
	t, _ := msg.MsgType()
	b := &msg.Body
	switch t {
	case "3":
		r.Reason = reason(sessionRejectReasons, str(b, tag.SessionRejectReason), str(b, tag.Text))
	case "j":
		r.Business = true
		r.ClOrdID = str(b, tag.BusinessRejectRefID)
		r.Reason = reason(businessRejectReasons, str(b, tag.BusinessRejectReason), str(b, tag.Text))
	default:
		return r, fmt.Errorf("%w: MsgType %q is not a reject", ErrUnmappable, t)
	}
	r.RefSeqNum, _ = b.GetInt(tag.RefSeqNum)
	r.Raw = msg.String()
	return r, nil
}

func str(b *quickfix.Body, t quickfix.Tag) string {
	s, _ := b.GetString(t)
	return s
}

func dec(b *quickfix.Body, t quickfix.Tag) (decimal.Decimal, error) {
	s := str(b, t)
	if s == "" {
		return decimal.Zero, nil
	}
	// FIX floats have no exponent; refusing one also keeps "1e999999999"
	// from turning into a number too big to print.
	d, err := decimal.NewFromString(s)
	if err != nil || strings.ContainsAny(s, "eE") || len(s) > 40 {
		return decimal.Zero, fmt.Errorf("%w: tag %d value %q is not a FIX number", ErrUnmappable, t, s)
	}
	return d, nil
}

func sideOf(code string) portfolio.Side {
	switch code {
	case "1":
		return portfolio.Buy
	case "2":
		return portfolio.Sell
	case "5", "6":
		return portfolio.SellShort
	}
	return portfolio.Side("")
}

func possDup(msg *quickfix.Message) bool {
	dup, _ := msg.Header.GetBool(tag.PossDupFlag)
	resend, _ := msg.Header.GetBool(tag.PossResend)
	return dup || resend
}

// reason is the human text for a coded reason plus the broker's Text(58).
func reason(codes map[string]string, code, text string) string {
	s, ok := codes[code]
	if !ok && code != "" {
		s = "reason " + code
	}
	switch {
	case s == "":
		return text
	case text == "":
		return s
	}
	return s + ": " + text
}
