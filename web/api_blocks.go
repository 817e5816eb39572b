package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/ballast-oms/ballast/order"
)

// apiBlocks lists blocks: ?state=open|completed&status=a,b&limit=
func (s *server) apiBlocks(w http.ResponseWriter, r *http.Request) {
	f, err := orderFilterFrom(r)
	if err != nil {
		s.apiOrderFail(w, r, err)
		return
	}
	blocks, err := s.orders.Blocks(r.Context(), order.BlockFilter{Statuses: f.Statuses, State: f.State, Limit: f.Limit})
	if err != nil {
		s.apiFail(w, r, fmt.Errorf("web: api blocks: %w", err))
		return
	}
	s.writeJSON(w, r, http.StatusOK, map[string]any{"blocks": toBlocksJSON(blocks)})
}

func toBlocksJSON(blocks []order.Block) []blockJSON {
	out := make([]blockJSON, len(blocks))
	for i, b := range blocks {
		out[i] = toBlockJSON(b)
	}
	return out
}

// apiBlockCreate gathers approved orders into a block: {"order_ids":[…],"broker"}.
func (s *server) apiBlockCreate(w http.ResponseWriter, r *http.Request) {
	var in struct {
		OrderIDs []int64 `json:"order_ids"`
		Broker   string  `json:"broker"`
	}
	if !s.decodeJSON(w, r, &in, false) {
		return
	}
	u, _ := userFrom(r.Context())
	b, err := s.desk.CreateBlock(r.Context(), actorOf(u), in.OrderIDs, strings.TrimSpace(in.Broker))
	if err != nil {
		s.apiOrderFail(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusCreated, toBlockJSON(b))
}

// apiBlockRelease sends a block to its broker.
func (s *server) apiBlockRelease(w http.ResponseWriter, r *http.Request) {
	id, err := idParam(r)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	u, _ := userFrom(r.Context())
	b, err := s.desk.Release(r.Context(), actorOf(u), id)
	if err != nil {
		s.apiOrderFail(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, toBlockJSON(b))
}

// apiBlocksRelease sends several blocks together: {"blocks":[…]}. All are
// released or none is (then the refusal answers as for one block). The
// answer is {"blocks":[…]}, in the order asked; a send the broker link
// refused after the release leaves its block rejected, and "error" says so.
func (s *server) apiBlocksRelease(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Blocks []int64 `json:"blocks"`
	}
	if !s.decodeJSON(w, r, &in, false) {
		return
	}
	u, _ := userFrom(r.Context())
	bs, err := s.desk.ReleaseBlocks(r.Context(), actorOf(u), in.Blocks)
	if err != nil && bs == nil {
		s.apiOrderFail(w, r, err)
		return
	}
	out := map[string]any{"blocks": toBlocksJSON(bs)}
	if err != nil {
		out["error"] = "not sent: " + s.refusal(r, err)
	}
	s.writeJSON(w, r, http.StatusOK, out)
}

// apiBlockCancel withdraws or cancels a block: {"reason"} is optional.
func (s *server) apiBlockCancel(w http.ResponseWriter, r *http.Request) {
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
	b, err := s.desk.CancelBlock(r.Context(), actorOf(u), id, in.Reason)
	if err != nil {
		s.apiOrderFail(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, toBlockJSON(b))
}

// apiBlockReplace changes a working block's quantity and limit price at the
// broker: {"quantity","limit_price"}.
func (s *server) apiBlockReplace(w http.ResponseWriter, r *http.Request) {
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
	b, err := s.desk.ReplaceBlock(r.Context(), actorOf(u), id, qty, limit)
	if err != nil {
		s.apiOrderFail(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, toBlockJSON(b))
}

// apiAudit searches the audit trail: ?order=&portfolio=&user=&from=&to=&limit=
// (dates YYYY-MM-DD, to inclusive).
func (s *server) apiAudit(w http.ResponseWriter, r *http.Request) {
	f, err := auditFilterFrom(r)
	if err != nil {
		s.apiOrderFail(w, r, err)
		return
	}
	evs, err := s.orders.AuditEvents(r.Context(), f)
	if err != nil {
		s.apiFail(w, r, fmt.Errorf("web: api audit: %w", err))
		return
	}
	out := make([]eventJSON, len(evs))
	for i, e := range evs {
		out[i] = toEventJSON(e)
	}
	s.writeJSON(w, r, http.StatusOK, map[string]any{"events": out})
}

// auditFilterFrom reads an audit search from the query string.
func auditFilterFrom(r *http.Request) (order.AuditFilter, error) {
	q := r.URL.Query()
	f := order.AuditFilter{Portfolio: strings.TrimSpace(q.Get("portfolio")), Actor: strings.TrimSpace(q.Get("user"))}
	var fe order.FieldErrors
	if v := strings.TrimSpace(q.Get("order")); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			fe = append(fe, order.FieldError{Field: "order", Reason: fmt.Sprintf("%q is not an order id", v)})
		}
		f.OrderID = id
	}
	day := func(field string) time.Time {
		v := strings.TrimSpace(q.Get(field))
		if v == "" {
			return time.Time{}
		}
		t, err := time.Parse(time.DateOnly, v)
		if err != nil {
			fe = append(fe, order.FieldError{Field: field, Reason: fmt.Sprintf("%q is not a date (YYYY-MM-DD)", v)})
		}
		return t
	}
	f.From = day("from")
	if to := day("to"); !to.IsZero() {
		f.To = to.AddDate(0, 0, 1)
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			fe = append(fe, order.FieldError{Field: "limit", Reason: fmt.Sprintf("%q is not a positive number", v)})
		}
		f.Limit = n
	}
	if len(fe) > 0 {
		return f, fe
	}
	return f, nil
}
