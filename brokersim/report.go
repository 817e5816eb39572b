package brokersim

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/quickfixgo/quickfix"
	"github.com/quickfixgo/tag"
	"github.com/shopspring/decimal"
)

// event is what happened to an order, before it is spelled for a FIX version.
type event int

const (
	evNew event = iota
	evFill
	evDoneForDay
	evCancelled
	evReplaced
	evPendingCancel
	evRejected
	evPendingReplace
	evBust
	evCorrect
)

// exec44 is the FIX 4.4 ExecType per event; fills are "F", busts "H", corrections "G".
var exec44 = map[event]string{
	evNew: "0", evFill: "F", evDoneForDay: "3", evCancelled: "4", evReplaced: "5",
	evPendingCancel: "6", evRejected: "8", evPendingReplace: "E", evBust: "H", evCorrect: "G",
}

// report is one execution report about to be sent: the event plus a
// snapshot of the order taken when it happened.
type report struct {
	ev          event
	execID      string
	execRefID   string
	clOrdID     string
	origClOrdID string
	lastQty     decimal.Decimal
	lastPx      decimal.Decimal
	text        string
	possResend  bool

	orderID  string
	account  string
	symbol   string
	side     string
	qty      decimal.Decimal
	price    decimal.Decimal
	cum      decimal.Decimal
	leaves   decimal.Decimal
	avgPx    decimal.Decimal
	status   string
	transact time.Time
}

// snapshot fills the order part of r from o's current state.
func (o *simOrder) snapshot(r report) report {
	r.orderID, r.account, r.symbol, r.side = o.orderID, o.account, o.symbol, o.side
	r.qty, r.price, r.cum, r.status = o.qty, o.price, o.cum, o.status
	r.leaves = o.leaves()
	r.avgPx = o.avgPx()
	if r.clOrdID == "" {
		r.clOrdID = o.clOrdID
	}
	r.transact = time.Now().UTC()
	return r
}

// message spells r for the session's FIX version.
func (r report) message(begin string) *quickfix.Message {
	m := quickfix.NewMessage()
	m.Header.SetString(tag.BeginString, begin)
	m.Header.SetString(tag.MsgType, "8")
	if r.possResend {
		m.Header.SetBool(tag.PossResend, true)
	}
	b := &m.Body
	b.SetString(tag.OrderID, r.orderID)
	b.SetString(tag.ExecID, r.execID)
	b.SetString(tag.ClOrdID, r.clOrdID)
	if r.origClOrdID != "" {
		b.SetString(tag.OrigClOrdID, r.origClOrdID)
	}
	if r.execRefID != "" {
		b.SetString(tag.ExecRefID, r.execRefID)
	}
	if begin == quickfix.BeginStringFIX42 {
		transType, execType := r.spell42()
		b.SetString(tag.ExecTransType, transType)
		b.SetString(tag.ExecType, execType)
	} else {
		b.SetString(tag.ExecType, exec44[r.ev])
	}
	b.SetString(tag.OrdStatus, r.status)
	if r.account != "" {
		b.SetString(tag.Account, r.account)
	}
	b.SetString(tag.Symbol, r.symbol)
	b.SetString(tag.Side, r.side)
	b.SetString(tag.OrderQty, r.qty.String())
	if r.price.IsPositive() {
		b.SetString(tag.Price, r.price.String())
	}
	if r.ev == evFill || r.ev == evBust || r.ev == evCorrect {
		b.SetString(tag.LastQty, r.lastQty.String())
		b.SetString(tag.LastPx, r.lastPx.String())
	}
	b.SetString(tag.CumQty, r.cum.String())
	b.SetString(tag.LeavesQty, r.leaves.String())
	b.SetString(tag.AvgPx, r.avgPx.String())
	b.SetField(tag.TransactTime, quickfix.FIXUTCTimestamp{Time: r.transact, Precision: quickfix.Millis})
	if r.text != "" {
		b.SetString(tag.Text, r.text)
	}
	return m
}

// spell42 is ExecTransType(20) and ExecType(150) for FIX 4.2: fills are
// 150=1/2, busts 20=1 and corrections 20=2 with the order's status as 150.
func (r report) spell42() (string, string) {
	switch r.ev {
	case evFill:
		if r.leaves.IsZero() {
			return "0", "2"
		}
		return "0", "1"
	case evBust:
		return "1", r.status
	case evCorrect:
		return "2", r.status
	}
	return "0", exec44[r.ev]
}

// send delivers r on o's session. The caller holds b.mu, so reports leave
// in the order they happened.
func (b *Broker) send(o *simOrder, r report) {
	b.outboxes[o.session].push(r.message(o.session.BeginString))
}

// cancelReject answers a cancel (responseTo "1") or replace ("2") request.
func (b *Broker) cancelReject(id quickfix.SessionID, clOrdID, origClOrdID, orderID, status, responseTo, reason, text string) {
	m := quickfix.NewMessage()
	m.Header.SetString(tag.BeginString, id.BeginString)
	m.Header.SetString(tag.MsgType, "9")
	if orderID == "" {
		orderID = "NONE"
	}
	m.Body.SetString(tag.OrderID, orderID)
	m.Body.SetString(tag.ClOrdID, clOrdID)
	m.Body.SetString(tag.OrigClOrdID, origClOrdID)
	m.Body.SetString(tag.OrdStatus, status)
	m.Body.SetString(tag.CxlRejResponseTo, responseTo)
	m.Body.SetString(tag.CxlRejReason, reason)
	m.Body.SetString(tag.Text, text)
	b.outboxes[id].push(m)
}

// logFactory sends quickfix events to slog at debug level.
type logFactory struct{ log *slog.Logger }

func (f logFactory) Create() (quickfix.Log, error) { return fixLog{f.log, ""}, nil }

func (f logFactory) CreateSessionLog(id quickfix.SessionID) (quickfix.Log, error) {
	return fixLog{f.log, id.String()}, nil
}

type fixLog struct {
	log     *slog.Logger
	session string
}

func (l fixLog) OnIncoming(b []byte) {
	l.log.Debug("brokersim fix in", "session", l.session, "msg", string(b))
}
func (l fixLog) OnOutgoing(b []byte) {
	l.log.Debug("brokersim fix out", "session", l.session, "msg", string(b))
}
func (l fixLog) OnEvent(s string) {
	l.log.Debug("brokersim fix event", "session", l.session, "event", s)
}
func (l fixLog) OnEventf(f string, a ...any) {
	l.log.Debug("brokersim fix event", "session", l.session, "event", fmt.Sprintf(f, a...))
}
