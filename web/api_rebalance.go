package web

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/ballast-oms/ballast/compliance"
	"github.com/ballast-oms/ballast/rebalance"
	"github.com/ballast-oms/ballast/user"
)

// rebalanceRequest is the body of POST /api/v1/portfolios/{code}/rebalance;
// every field is optional. Amounts are strings ("2%", "10000").
type rebalanceRequest struct {
	Mode        string `json:"mode"`
	CashReserve string `json:"cash_reserve"`
	MinTrade    string `json:"min_trade"`
	CollarBps   int64  `json:"collar_bps"`
	BuyOnly     bool   `json:"buy_only"`
	Raise       string `json:"raise"`
	Save        bool   `json:"save"`
}

// planJSON is a plan as the API (and `ballast rebalance --format json`) gives it.
type planJSON struct {
	Trades     []tradeJSON    `json:"trades"`
	Portfolios []planCashJSON `json:"portfolios"`
	Saved      *int           `json:"saved,omitempty"`
}

type tradeJSON struct {
	Portfolio  string                   `json:"portfolio"`
	Symbol     string                   `json:"symbol"`
	Side       string                   `json:"side"`
	Quantity   string                   `json:"quantity"`
	LimitPrice string                   `json:"limit_price"`
	Reason     string                   `json:"reason"`
	Compliance *compliance.TradeSummary `json:"compliance,omitempty"` // pre-trade compliance of the trade in its basket
}

type planCashJSON struct {
	Portfolio  string `json:"portfolio"`
	NAV        string `json:"nav"`
	CashBefore string `json:"cash_before"`
	CashAfter  string `json:"cash_after"`
}

// apiRebalance plans one portfolio: a dry run unless "save": true, which
// saves the trades as a proposal (pm or trader only).
func (s *server) apiRebalance(w http.ResponseWriter, r *http.Request) {
	code := pathParam(r, "code")
	var req rebalanceRequest
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<16))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil && err != io.EOF {
		s.apiError(w, r, http.StatusBadRequest, "body is not a rebalance request: "+err.Error())
		return
	}
	opts, problems := readOptions(req.Mode, req.CashReserve, req.MinTrade, fmt.Sprint(req.CollarBps), req.Raise, req.BuyOnly)
	if len(problems) > 0 {
		s.apiError(w, r, http.StatusUnprocessableEntity, joinProblems(problems))
		return
	}
	inputs, _, err := s.store.RebalanceInputs(r.Context(), []string{code})
	if err != nil {
		s.apiFail(w, r, fmt.Errorf("web: api rebalance %s: %w", code, err))
		return
	}
	if len(inputs) == 0 {
		s.apiError(w, r, http.StatusUnprocessableEntity, "portfolio has no model and no targets")
		return
	}
	t0 := time.Now()
	res, err := rebalance.Plan(inputs[0], opts)
	s.metrics.ObserveRebalance(time.Since(t0))
	if err != nil {
		s.apiError(w, r, http.StatusUnprocessableEntity, err.Error())
		return
	}
	out := toPlanJSON([]rebalance.Result{res})
	if err := s.planCompliance(r, res.Trades, &out); err != nil {
		s.apiFail(w, r, fmt.Errorf("web: api rebalance %s: %w", code, err))
		return
	}
	if req.Save {
		if !s.apiSave(w, r, res, &out) {
			return
		}
	}
	s.writeJSON(w, r, http.StatusOK, out)
}

// apiSave saves a plan's trades as a proposal; false when it answered with an error.
func (s *server) apiSave(w http.ResponseWriter, r *http.Request, res rebalance.Result, out *planJSON) bool {
	u, _ := userFrom(r.Context())
	switch {
	case !u.Has(user.PM, user.Trader):
		s.apiError(w, r, http.StatusForbidden, "only a pm or trader may save a proposal")
		return false
	case s.proposals == nil:
		s.apiError(w, r, http.StatusServiceUnavailable, "saving proposals is not available yet on this server")
		return false
	}
	n := 0
	if len(res.Trades) > 0 {
		var err error
		if n, err = s.proposals.SaveProposal(r.Context(), u, res.Trades); err != nil {
			s.apiFail(w, r, fmt.Errorf("web: api rebalance %s: save: %w", res.Portfolio, err))
			return false
		}
	}
	out.Saved = &n
	return true
}

func toPlanJSON(results []rebalance.Result) planJSON {
	out := planJSON{Trades: []tradeJSON{}, Portfolios: make([]planCashJSON, 0, len(results))}
	for _, r := range results {
		for _, t := range r.Trades {
			out.Trades = append(out.Trades, tradeJSON{Portfolio: t.Portfolio, Symbol: t.Symbol, Side: string(t.Side),
				Quantity: t.Quantity.String(), LimitPrice: t.LimitPrice.String(), Reason: t.Reason})
		}
		out.Portfolios = append(out.Portfolios, planCashJSON{Portfolio: r.Portfolio, NAV: r.NAV.String(),
			CashBefore: r.CashBefore.String(), CashAfter: r.CashAfter.String()})
	}
	return out
}

func joinProblems(problems map[string]string) string {
	keys := make([]string, 0, len(problems))
	for k := range problems {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ": " + problems[k]
	}
	return strings.Join(parts, "; ")
}
