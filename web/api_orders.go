package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/order"
	"github.com/ballast-oms/ballast/portfolio"
	"github.com/ballast-oms/ballast/user"
)

// maxOrderBody bounds an order API request body.
const maxOrderBody = 64 << 10

// orderAPI adds the order book's JSON API. Reading is open to every desk
// role (the audit trail to compliance and admins); each action needs its role
// before its body is read, and the order Service and the database check roles
// and four eyes again, so a refusal says why.
func (s *server) orderAPI(r chi.Router) {
	if s.orders == nil {
		return
	}
	r.Group(func(r chi.Router) {
		r.Use(s.apiRequireRole(user.PM, user.Trader, user.Compliance, user.Admin))
		s.orderAPIRoutes(r)
	})
}

func (s *server) orderAPIRoutes(r chi.Router) {
	r.Get("/orders", s.apiOrders)
	r.Get("/orders/{id}", s.apiOrder)
	r.Get("/blocks", s.apiBlocks)
	r.With(s.apiRequireRole(user.Compliance, user.Admin)).Get("/audit", s.apiAudit)
	if s.desk == nil {
		return
	}
	// The role is checked before the body is read, so a caller without it
	// gets 403 whatever it sent; the Service checks it again, with four eyes.
	desk := r.With(s.apiRequireRole(user.PM, user.Trader))
	desk.Post("/orders", s.apiOrderCreate)
	desk.Post("/orders/{id}/cancel", s.apiOrderCancel)
	desk.Post("/orders/{id}/replace", s.apiOrderReplace)
	trading := r.With(s.apiRequireRole(user.Trader))
	trading.Post("/orders/{id}/approve", s.apiOrderApprove)
	trading.Post("/blocks", s.apiBlockCreate)
	trading.Post("/blocks/{id}/release", s.apiBlockRelease)
	trading.Post("/blocks/release", s.apiBlocksRelease)
	trading.Post("/blocks/{id}/cancel", s.apiBlockCancel)
	trading.Post("/blocks/{id}/replace", s.apiBlockReplace)
}

// apiOrderFail answers a refused or failed order action: 403/409/422/404
// with {"error": why} (and "fields" for field problems), 500 otherwise.
func (s *server) apiOrderFail(w http.ResponseWriter, r *http.Request, err error) {
	if fields := fieldProblems(err); fields != nil {
		s.writeJSON(w, r, http.StatusUnprocessableEntity, map[string]any{"error": refusalText(err), "fields": fields})
		return
	}
	s.apiFail(w, r, orderFault(err))
}

// decodeJSON reads a bounded JSON body into v, refusing unknown fields. An
// empty body leaves v as it is when optional.
func (s *server) decodeJSON(w http.ResponseWriter, r *http.Request, v any, optional bool) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxOrderBody))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil || (optional && err.Error() == "EOF") {
		return true
	}
	s.apiError(w, r, http.StatusBadRequest, "the body is not the JSON expected: "+err.Error())
	return false
}

func idParam(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, fault(kindNotFound, fmt.Sprintf("%q is not an id.", chi.URLParam(r, "id")))
	}
	return id, nil
}

// apiOrders lists orders: ?status=a,b&portfolio=&symbol=&trader=&broker=&state=open|completed&date=YYYY-MM-DD
// (or from= and to=, inclusive)&limit=
func (s *server) apiOrders(w http.ResponseWriter, r *http.Request) {
	f, err := orderFilterFrom(r)
	if err != nil {
		s.apiOrderFail(w, r, err)
		return
	}
	lines, total, err := s.orders.Orders(r.Context(), f)
	if err != nil {
		s.apiFail(w, r, fmt.Errorf("web: api orders: %w", err))
		return
	}
	out := make([]orderJSON, len(lines))
	for i, l := range lines {
		out[i] = toOrderJSON(l.Order)
		if l.BlockBroker != "" {
			out[i].Broker = l.BlockBroker
		}
	}
	s.writeJSON(w, r, http.StatusOK, map[string]any{"orders": out, "total": total})
}

// apiOrder is one order.
func (s *server) apiOrder(w http.ResponseWriter, r *http.Request) {
	id, err := idParam(r)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	d, err := s.orders.OrderDetail(r.Context(), id)
	if err != nil {
		s.apiOrderFail(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, toOrderJSON(d.Order))
}

// orderFilterFrom reads the blotter and API filters from the query string.
func orderFilterFrom(r *http.Request) (order.Filter, error) {
	q := r.URL.Query()
	f := order.Filter{Portfolio: q.Get("portfolio"), Symbol: q.Get("symbol"), Trader: q.Get("trader"), Broker: q.Get("broker"),
		State: q.Get("state")}
	if f.State != "" && f.State != "open" && f.State != "completed" && f.State != "all" {
		return f, order.FieldErrors{{Field: "state", Reason: fmt.Sprintf("%q is not open, completed or all", f.State)}}
	}
	if f.State == "all" {
		f.State = ""
	}
	for _, part := range strings.Split(q.Get("status"), ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		st, err := order.ParseStatus(part)
		if err != nil {
			return f, order.FieldErrors{{Field: "status", Reason: fmt.Sprintf("%q is not a status", part)}}
		}
		f.Statuses = append(f.Statuses, st)
	}
	for _, p := range []struct {
		field string
		from  bool
	}{{"date", true}, {"from", true}, {"date", false}, {"to", false}} {
		d := strings.TrimSpace(q.Get(p.field))
		if d == "" {
			continue
		}
		day, err := time.Parse(time.DateOnly, d)
		if err != nil {
			return f, order.FieldErrors{{Field: p.field, Reason: fmt.Sprintf("%q is not a date (YYYY-MM-DD)", d)}}
		}
		if p.from {
			f.From = day
		} else {
			f.To = day.AddDate(0, 0, 1) // to is inclusive
		}
	}
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n <= 0 {
			return f, order.FieldErrors{{Field: "limit", Reason: fmt.Sprintf("%q is not a positive number", l)}}
		}
		f.Limit = n
	}
	return f, nil
}

// apiOrderCreate enters a manual order: compliance runs, then it is proposed.
func (s *server) apiOrderCreate(w http.ResponseWriter, r *http.Request) {
	var in orderInput
	if !s.decodeJSON(w, r, &in, false) {
		return
	}
	o, err := in.toOrder()
	if err != nil {
		s.apiOrderFail(w, r, err)
		return
	}
	u, _ := userFrom(r.Context())
	o, c, err := s.desk.Enter(r.Context(), actorOf(u), o)
	if err != nil {
		s.apiOrderFail(w, r, err)
		return
	}
	j := toOrderJSON(o)
	j.Compliance = &checkJSON{Verdict: string(c.Verdict), Findings: c.Findings}
	s.writeJSON(w, r, http.StatusCreated, j)
}

// apiOrderApprove approves an order. Soft compliance breaches are cleared by a
// compliance officer (POST /api/v1/orders/{id}/overrides), never here.
func (s *server) apiOrderApprove(w http.ResponseWriter, r *http.Request) {
	var in struct{}
	id, err := idParam(r)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	if !s.decodeJSON(w, r, &in, true) {
		return
	}
	u, _ := userFrom(r.Context())
	o, err := s.desk.Approve(r.Context(), actorOf(u), id)
	if err != nil {
		s.apiOrderFail(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, toOrderJSON(o))
}

// apiOrderCancel cancels an order: {"reason": "…"} is optional.
func (s *server) apiOrderCancel(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Reason string `json:"reason"`
	}
	id, err := idParam(r)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	if !s.decodeJSON(w, r, &in, true) {
		return
	}
	u, _ := userFrom(r.Context())
	o, err := s.desk.Cancel(r.Context(), actorOf(u), id, in.Reason)
	if err != nil {
		s.apiOrderFail(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, toOrderJSON(o))
}

// apiOrderReplace changes quantity and limit price: {"quantity","limit_price"}.
func (s *server) apiOrderReplace(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Quantity   string `json:"quantity"`
		LimitPrice string `json:"limit_price"`
	}
	id, err := idParam(r)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	if !s.decodeJSON(w, r, &in, false) {
		return
	}
	qty, limit, err := parseReplace(in.Quantity, in.LimitPrice)
	if err != nil {
		s.apiOrderFail(w, r, err)
		return
	}
	u, _ := userFrom(r.Context())
	o, err := s.desk.Replace(r.Context(), actorOf(u), id, qty, limit)
	if err != nil {
		s.apiOrderFail(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, toOrderJSON(o))
}

// parseReplace reads a replace's quantity (required) and limit price (optional).
func parseReplace(qtyText, limitText string) (qty, limit decimal.Decimal, err error) {
	var fe order.FieldErrors
	qty, qerr := portfolio.ParseDecimal(strings.TrimSpace(qtyText))
	if qerr != nil || !qty.IsPositive() {
		fe = append(fe, order.FieldError{Field: "quantity", Reason: numberProblem(qerr, fmt.Sprintf("%q is not a positive decimal", qtyText))})
	}
	if t := strings.TrimSpace(limitText); t != "" {
		if limit, err = portfolio.ParseDecimal(t); err != nil {
			fe = append(fe, order.FieldError{Field: "limit_price", Reason: numberProblem(err, fmt.Sprintf("%q is not a decimal", t))})
		}
	}
	if len(fe) > 0 {
		return qty, limit, fe
	}
	return qty, limit, nil
}
