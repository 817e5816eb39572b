package order

import (
	"context"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/portfolio"
)

// OrdType is how an order is priced.
type OrdType string

// The order types Ballast sends.
const (
	Market    OrdType = "market"
	Limit     OrdType = "limit"
	Stop      OrdType = "stop"
	StopLimit OrdType = "stop_limit"
)

// TimeInForce is how long an order stays working.
type TimeInForce string

// The times in force Ballast sends.
const (
	Day TimeInForce = "day"
	GTC TimeInForce = "gtc"
	IOC TimeInForce = "ioc"
	FOK TimeInForce = "fok"
	GTD TimeInForce = "gtd"
	OPG TimeInForce = "opg" // at the open
	CLS TimeInForce = "cls" // at the close
)

// NewOrderRequest is what Ballast asks a broker to work: one block (or a single
// order) under one ClOrdID.
type NewOrderRequest struct {
	Broker      string // Ballast's broker name; the Sender maps it to a session
	ClOrdID     string
	Account     string // portfolio code, or the block's allocation account
	Symbol      string
	Side        portfolio.Side
	Quantity    decimal.Decimal
	Type        OrdType
	LimitPrice  decimal.Decimal // zero unless limit / stop_limit
	StopPrice   decimal.Decimal // zero unless stop / stop_limit
	TimeInForce TimeInForce
	ExpireDate  time.Time // GTD only
	TransactAt  time.Time
}

// CancelRequest asks the broker to cancel the order last accepted as OrigClOrdID.
type CancelRequest struct {
	Broker      string
	ClOrdID     string // new id for the cancel request
	OrigClOrdID string // last accepted ClOrdID of the order
	BrokerID    string // the broker's OrderID, when known
	Symbol      string
	Side        portfolio.Side
	Quantity    decimal.Decimal
	TransactAt  time.Time
}

// ReplaceRequest asks the broker to change quantity or price of OrigClOrdID.
type ReplaceRequest struct {
	NewOrderRequest        // the order as it should be after the replace, under a new ClOrdID
	OrigClOrdID     string // last accepted ClOrdID
	BrokerID        string
}

// Sender sends requests to brokers (the FIX client implements it). A nil error
// means the request was accepted for sending, not that the broker acknowledged it.
type Sender interface {
	Send(ctx context.Context, r NewOrderRequest) error
	Cancel(ctx context.Context, r CancelRequest) error
	Replace(ctx context.Context, r ReplaceRequest) error
}

// ExecKind is the normalised meaning of an execution report, the same for FIX 4.2 and 4.4.
type ExecKind string

// The execution kinds Ballast books or records.
const (
	ExecNew            ExecKind = "new"
	ExecPartialFill    ExecKind = "partial_fill"
	ExecFill           ExecKind = "fill"
	ExecDoneForDay     ExecKind = "done_for_day"
	ExecCancelled      ExecKind = "cancelled"
	ExecReplaced       ExecKind = "replaced"
	ExecPendingCancel  ExecKind = "pending_cancel"
	ExecRejected       ExecKind = "rejected"
	ExecPendingNew     ExecKind = "pending_new"
	ExecExpired        ExecKind = "expired"
	ExecRestated       ExecKind = "restated"
	ExecPendingReplace ExecKind = "pending_replace"
	ExecBust           ExecKind = "bust"       // trade cancel: reverses ExecRefID
	ExecCorrect        ExecKind = "correction" // trade correct: replaces ExecRefID's qty/price
	ExecStatus         ExecKind = "status"
)

// ExecutionReport is an inbound execution report, normalised across FIX versions.
type ExecutionReport struct {
	Session     string // FIX session id (dedupe scope for ExecID)
	Broker      string
	ExecID      string
	ExecRefID   string // for busts and corrections
	Kind        ExecKind
	ClOrdID     string
	OrigClOrdID string
	BrokerID    string // broker's OrderID
	OrdStatus   string // FIX OrdStatus(39) as sent, for display and checks
	Symbol      string
	Side        portfolio.Side
	LastQty     decimal.Decimal
	LastPx      decimal.Decimal
	CumQty      decimal.Decimal
	LeavesQty   decimal.Decimal
	AvgPx       decimal.Decimal
	OrderQty    decimal.Decimal
	Price       decimal.Decimal
	Text        string
	PossDup     bool
	TransactAt  time.Time
	ReceivedAt  time.Time
	SeqNum      int    // inbound MsgSeqNum
	Raw         string // the FIX message, for the order's message log
}

// CancelReject is an inbound OrderCancelReject (35=9).
type CancelReject struct {
	Session     string
	Broker      string
	ClOrdID     string // the rejected request's id
	OrigClOrdID string // the last accepted ClOrdID (41)
	BrokerID    string
	OrdStatus   string
	ResponseTo  string // "cancel" (434=1) or "replace" (434=2)
	Reason      string // human text from 102 and 58
	ReceivedAt  time.Time
	Raw         string
}

// SessionReject is a session-level Reject (35=3) or BusinessMessageReject (35=j),
// mapped to the order through the outbound sequence number it refers to.
type SessionReject struct {
	Session    string
	RefSeqNum  int
	ClOrdID    string // when the sender could map RefSeqNum to an order
	Reason     string
	Business   bool // true for 35=j
	ReceivedAt time.Time
	Raw        string
}
