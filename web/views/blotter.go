package views

import (
	"strconv"
	"strings"
	"time"

	"github.com/ballast-oms/ballast/order"
)

// BlotterFilter is the blotter's filter form as typed.
type BlotterFilter struct {
	State, Status, Portfolio, Symbol, Trader, Broker, Date string
}

// BlotterRow is one order line with what the viewer may do to it.
type BlotterRow struct {
	order.Line
	CanApprove bool // a trader who neither proposed nor amended it, and it is ready
	CanCancel  bool
}

// BlotterView is the blotter page: orders, blocks and the viewer's actions.
type BlotterView struct {
	Filter     BlotterFilter
	Rows       []BlotterRow
	Total      int
	Offset     int
	PageSize   int
	Blocks     []order.Block
	Brokers    []string
	CanTrade   bool   // trader: bulk approve, block, release
	CanEnter   bool   // pm or trader: manual orders
	Query      string // the filter as a query string, for refreshes and paging
	Statuses   []order.Status
	EventsPath string // the server-sent events stream; "" when not live
	// Queued maps the ClOrdIDs waiting for a FIX session to why (e.g. "session SIM down").
	Queued map[string]string
	FixLog bool // blocks link to their FIX message log
}

// QueuedNote says why block b's current request waits in the FIX outbox, or "".
func (v BlotterView) QueuedNote(b order.Block) string {
	if r, ok := v.Queued[b.PendingClOrdID]; ok && b.PendingClOrdID != "" {
		return "queued: " + r
	}
	if r, ok := v.Queued[b.ClOrdID]; ok && b.ClOrdID != "" {
		return "queued: " + r
	}
	return ""
}

// RefreshURL is the fragment the live blotter reloads on a change.
func (v BlotterView) RefreshURL() string { return "/blotter?" + v.Query }

// PageURL is the blotter at another offset.
func (v BlotterView) PageURL(offset int) string {
	q := v.Query
	if q != "" {
		q += "&"
	}
	return "/blotter?" + q + "offset=" + strconv.Itoa(max(offset, 0))
}

// HasNext reports whether orders follow this page.
func (v BlotterView) HasNext() bool { return v.Offset+len(v.Rows) < v.Total }

// CanReleaseSome reports whether the viewer may release blocks and at least
// one block is approved: the blotter then offers "Release selected".
func (v BlotterView) CanReleaseSome() bool {
	if !v.CanTrade {
		return false
	}
	for _, b := range v.Blocks {
		if b.Status == order.Approved {
			return true
		}
	}
	return false
}

// ID formats an id.
func ID(id int64) string { return strconv.FormatInt(id, 10) }

// IDList formats ids as "3, 4, 7".
func IDList(ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = ID(id)
	}
	return strings.Join(s, ", ")
}

// OrderURL is an order's detail page.
func OrderURL(id int64) string { return "/orders/" + ID(id) }

// StatusText is a status for people: "partially_filled" → "partially filled".
func StatusText(s order.Status) string { return strings.ReplaceAll(string(s), "_", " ") }

// StatusClass tints a status: good when filled, bad when it ended unfilled.
func StatusClass(s order.Status) string {
	switch s {
	case order.Filled:
		return "tag pos"
	case order.Rejected, order.Cancelled, order.Expired, order.Blocked:
		return "tag neg"
	}
	return "tag"
}

// Terms is an order's type and prices: "limit 20.50", "market".
func Terms(t order.OrdType, limit, stop string) string {
	s := strings.ReplaceAll(string(t), "_", " ")
	if limit != "" {
		s += " " + limit
	}
	if stop != "" {
		s += " stop " + stop
	}
	return s
}

// OrderTerms is o's type and prices.
func OrderTerms(o order.Order) string {
	return Terms(o.Type, priceOrEmpty(o.LimitPrice.IsZero(), Price(o.LimitPrice)), priceOrEmpty(o.StopPrice.IsZero(), Price(o.StopPrice)))
}

// BlockTerms is b's type and prices.
func BlockTerms(b order.Block) string {
	return Terms(b.Type, priceOrEmpty(b.LimitPrice.IsZero(), Price(b.LimitPrice)), priceOrEmpty(b.StopPrice.IsZero(), Price(b.StopPrice)))
}

func priceOrEmpty(zero bool, s string) string {
	if zero {
		return ""
	}
	return s
}

// When formats a time in UTC to the minute; "" for none.
func When(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04")
}

// WhenExact formats a time in UTC to the second.
func WhenExact(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04:05")
}

// EventText is a short account of an audit event for the blotter.
func EventText(e order.Event) string {
	if e.Action == "" {
		return ""
	}
	s := strings.ReplaceAll(e.Action, "_", " ")
	if e.To != "" {
		s += " → " + StatusText(e.To)
	}
	return s + " (" + e.Actor + ")"
}

// AvgText is an average price, or "" before any fill.
func AvgText(l order.Line) string {
	if l.Order.FilledQty.IsZero() {
		return ""
	}
	return Price(l.Order.AvgPx)
}

// Selected marks an option as selected.
func Selected(a, b string) bool { return a == b }
