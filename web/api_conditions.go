package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/portfolio"
	"github.com/ballast-oms/ballast/trigger"
	"github.com/ballast-oms/ballast/user"
)

// conditionsAPI adds the conditional orders to the JSON API: everyone reads
// them; PMs and traders create and cancel, and withdraw the amendments they
// proposed; traders approve conditions and approve or reject amendments
// (never their own).
func (s *server) conditionsAPI(r chi.Router) {
	r.Group(func(r chi.Router) {
		r.Use(s.apiRequireRole(user.PM, user.Trader, user.Compliance, user.Admin))
		r.Get("/conditions", s.apiConditions)
		r.Get("/conditions/{id}", s.apiCondition)
	})
	r.Group(func(r chi.Router) {
		r.Use(s.apiRequireRole(user.PM, user.Trader))
		r.Post("/conditions", s.apiCreateCondition)
		r.Post("/conditions/{id}/cancel", s.apiCancelCondition)
		r.Post("/conditions/{id}/amendment/reject", s.apiRejectAmendment)
	})
	r.Group(func(r chi.Router) {
		r.Use(s.apiRequireRole(user.Trader))
		r.Post("/conditions/{id}/approve", s.apiApproveCondition)
		r.Post("/conditions/{id}/amendment/approve", s.apiApproveAmendment)
	})
}

// conditionInJSON is the body of POST /api/v1/conditions; decimals are strings.
type conditionInJSON struct {
	Portfolio       string `json:"portfolio"`
	Symbol          string `json:"symbol"`
	Kind            string `json:"kind"`
	TriggerPrice    string `json:"trigger_price"`
	Percent         string `json:"percent"`
	Amount          string `json:"amount"`
	ActivationPrice string `json:"activation_price"`
	Quantity        string `json:"quantity"`
	ValidUntil      string `json:"valid_until"`
	OCOWith         int64  `json:"oco_with"`
	OrderType       string `json:"order_type"`
	CollarBps       int    `json:"collar_bps"`
}

// conditionJSON is a condition as the API shows it.
type conditionJSON struct {
	ID              int64  `json:"id"`
	Portfolio       string `json:"portfolio"`
	Symbol          string `json:"symbol"`
	Kind            string `json:"kind"`
	State           string `json:"state"`
	StateReason     string `json:"state_reason"`
	TriggerPrice    string `json:"trigger_price"`
	Percent         string `json:"percent"`
	Amount          string `json:"amount"`
	ActivationPrice string `json:"activation_price"`
	Quantity        string `json:"quantity"`
	Level           string `json:"level"`
	High            string `json:"high"`
	StopLevel       string `json:"stop_level"`
	OrderType       string `json:"order_type"`
	CollarBps       int    `json:"collar_bps"`
	ValidUntil      string `json:"valid_until"`
	OCOWith         int64  `json:"oco_with"`
	CreatedBy       string `json:"created_by"`
	AmendedBy       string `json:"amended_by,omitempty"` // the last to modify its terms; may not approve them
	ApprovedBy      string `json:"approved_by"`
	Version         int64  `json:"version"`
	FiredPrice      string `json:"fired_price,omitempty"`
	FiredAt         string `json:"fired_at,omitempty"`
	OrderID         int64  `json:"order_id,omitempty"`
	Alert           string `json:"alert,omitempty"`
	// Amendment is the latest amendment proposed while it was active; its
	// terms apply only once approved, while "state" is "pending".
	Amendment *amendmentJSON `json:"amendment,omitempty"`
}

// amendmentJSON is an amendment as the API shows it.
type amendmentJSON struct {
	State           string `json:"state"`
	ProposedBy      string `json:"proposed_by"`
	ProposedAt      string `json:"proposed_at"`
	TriggerPrice    string `json:"trigger_price"`
	Percent         string `json:"percent"`
	Amount          string `json:"amount"`
	ActivationPrice string `json:"activation_price"`
	Quantity        string `json:"quantity"`
	Level           string `json:"level"`
	OrderType       string `json:"order_type"`
	CollarBps       int    `json:"collar_bps"`
	ValidUntil      string `json:"valid_until"`
	DecidedBy       string `json:"decided_by,omitempty"`
	DecidedAt       string `json:"decided_at,omitempty"`
	Reason          string `json:"reason,omitempty"`
}

func toAmendmentJSON(a *trigger.Amendment) *amendmentJSON {
	if a == nil {
		return nil
	}
	out := &amendmentJSON{State: string(a.State), ProposedBy: a.By, ProposedAt: a.At.UTC().Format(time.RFC3339),
		TriggerPrice: a.TriggerPrice.String(), Percent: a.Percent.String(), Amount: a.Amount.String(),
		ActivationPrice: a.ActivationPrice.String(), Quantity: a.Quantity.String(), Level: a.Level.String(),
		OrderType: string(a.OrderType), CollarBps: a.CollarBps, ValidUntil: a.ValidUntil.UTC().Format(time.RFC3339),
		DecidedBy: a.DecidedBy, Reason: a.Reason}
	if !a.DecidedAt.IsZero() {
		out.DecidedAt = a.DecidedAt.UTC().Format(time.RFC3339)
	}
	return out
}

func toConditionJSON(v ConditionView) conditionJSON {
	c := v.Condition
	out := conditionJSON{ID: c.ID, Portfolio: c.Portfolio, Symbol: c.Symbol, Kind: string(c.Kind), State: string(c.State),
		StateReason: c.StateReason, TriggerPrice: c.TriggerPrice.String(), Percent: c.Percent.String(),
		Amount: c.Amount.String(), ActivationPrice: c.ActivationPrice.String(), Quantity: c.Quantity.String(),
		Level: c.Level.String(), High: c.High.String(), StopLevel: c.StopLevel().String(), OrderType: string(c.OrderType),
		CollarBps: c.CollarBps, ValidUntil: c.ValidUntil.UTC().Format(time.RFC3339), OCOWith: c.OCOWith,
		CreatedBy: c.CreatedBy, AmendedBy: c.AmendedBy, ApprovedBy: c.ApprovedBy, Version: c.Version, OrderID: v.OrderID, Alert: v.Alert,
		Amendment: toAmendmentJSON(c.Amendment)}
	if c.State == trigger.Triggered {
		out.FiredPrice, out.FiredAt = c.FiredPrice.String(), c.FiredAt.UTC().Format(time.RFC3339)
	}
	return out
}

// parseConditionIn turns the API body into a condition, listing every field
// that does not parse.
func parseConditionIn(in conditionInJSON) (trigger.Condition, error) {
	var errs trigger.FieldErrors
	num := func(field, s string) decimal.Decimal {
		if strings.TrimSpace(s) == "" {
			return decimal.Zero
		}
		v, err := portfolio.ParseDecimal(strings.TrimSpace(s))
		if err != nil {
			errs = append(errs, trigger.FieldError{Field: field, Problem: numberProblem(err, fmt.Sprintf("%q is not a decimal", s))})
		}
		return v
	}
	c := trigger.Condition{Portfolio: strings.TrimSpace(in.Portfolio), Symbol: strings.TrimSpace(in.Symbol),
		Kind: trigger.Kind(strings.TrimSpace(in.Kind))}
	c.TriggerPrice, c.Percent, c.Amount = num("trigger_price", in.TriggerPrice), num("percent", in.Percent), num("amount", in.Amount)
	c.ActivationPrice, c.Quantity = num("activation_price", in.ActivationPrice), num("quantity", in.Quantity)
	c.OCOWith, c.OrderType, c.CollarBps = in.OCOWith, trigger.OrderType(strings.TrimSpace(in.OrderType)), in.CollarBps
	if v := strings.TrimSpace(in.ValidUntil); v != "" {
		t, err := parseValidUntil(v)
		if err != nil {
			errs = append(errs, trigger.FieldError{Field: "valid_until", Problem: err.Error()})
		}
		c.ValidUntil = t
	}
	if len(errs) > 0 {
		return c, errs
	}
	return c, nil
}

// parseValidUntil reads an RFC 3339 time, or a date meaning the end of that day (UTC).
func parseValidUntil(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	if d, err := time.Parse(time.DateOnly, s); err == nil {
		return d.Add(24*time.Hour - time.Second), nil
	}
	return time.Time{}, fmt.Errorf("%q is not a date (2006-01-02) or an RFC 3339 time", s)
}

func (s *server) apiConditions(w http.ResponseWriter, r *http.Request) {
	if !s.conditionsOn(w, r) {
		return
	}
	q := r.URL.Query()
	list, err := s.live.conds.List(r.Context(), ConditionFilter{State: q.Get("state"), Portfolio: q.Get("portfolio"),
		Symbol: q.Get("symbol"), Kind: q.Get("kind")})
	if err != nil {
		s.apiConditionFail(w, r, err)
		return
	}
	out := make([]conditionJSON, len(list))
	for i, c := range list {
		out[i] = toConditionJSON(c)
	}
	s.writeJSON(w, r, http.StatusOK, map[string]any{"conditions": out})
}

func (s *server) apiCondition(w http.ResponseWriter, r *http.Request) {
	s.conditionAction(w, r, http.StatusOK, func(u user.User, id int64) (ConditionView, error) {
		return s.live.conds.Get(r.Context(), id)
	})
}

func (s *server) apiCreateCondition(w http.ResponseWriter, r *http.Request) {
	if !s.conditionsOn(w, r) {
		return
	}
	var in conditionInJSON
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		s.apiError(w, r, http.StatusBadRequest, "body must be a JSON condition object: "+err.Error())
		return
	}
	c, err := parseConditionIn(in)
	if err != nil {
		s.apiConditionFail(w, r, err)
		return
	}
	u, _ := userFrom(r.Context())
	v, err := s.live.conds.Create(r.Context(), u, c)
	if err != nil {
		s.apiConditionFail(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusCreated, toConditionJSON(v))
}

func (s *server) apiApproveCondition(w http.ResponseWriter, r *http.Request) {
	s.conditionAction(w, r, http.StatusOK, func(u user.User, id int64) (ConditionView, error) {
		return s.live.conds.Approve(r.Context(), u, id)
	})
}

func (s *server) apiApproveAmendment(w http.ResponseWriter, r *http.Request) {
	s.conditionAction(w, r, http.StatusOK, func(u user.User, id int64) (ConditionView, error) {
		return s.live.conds.ApproveAmendment(r.Context(), u, id)
	})
}

func (s *server) apiRejectAmendment(w http.ResponseWriter, r *http.Request) {
	reason, ok := s.apiReason(w, r)
	if !ok {
		return
	}
	s.conditionAction(w, r, http.StatusOK, func(u user.User, id int64) (ConditionView, error) {
		return s.live.conds.RejectAmendment(r.Context(), u, id, reason)
	})
}

func (s *server) apiCancelCondition(w http.ResponseWriter, r *http.Request) {
	reason, ok := s.apiReason(w, r)
	if !ok {
		return
	}
	s.conditionAction(w, r, http.StatusOK, func(u user.User, id int64) (ConditionView, error) {
		return s.live.conds.Cancel(r.Context(), u, id, reason)
	})
}

// apiReason reads an optional {"reason"} body; false when it answered 400.
func (s *server) apiReason(w http.ResponseWriter, r *http.Request) (string, bool) {
	var body struct {
		Reason string `json:"reason"`
	}
	if r.ContentLength != 0 {
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 8<<10)).Decode(&body); err != nil {
			s.apiError(w, r, http.StatusBadRequest, "body must be empty or {\"reason\"}: "+err.Error())
			return "", false
		}
	}
	return body.Reason, true
}

// conditionAction runs act on the {id} of the path for the token's user.
func (s *server) conditionAction(w http.ResponseWriter, r *http.Request, status int, act func(user.User, int64) (ConditionView, error)) {
	if !s.conditionsOn(w, r) {
		return
	}
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil || id <= 0 {
		s.apiError(w, r, http.StatusNotFound, "no such condition")
		return
	}
	u, _ := userFrom(r.Context())
	v, err := act(u, id)
	if err != nil {
		s.apiConditionFail(w, r, err)
		return
	}
	s.writeJSON(w, r, status, toConditionJSON(v))
}

func (s *server) conditionsOn(w http.ResponseWriter, r *http.Request) bool {
	if s.live.conds == nil {
		s.apiError(w, r, http.StatusServiceUnavailable, "conditional orders are not running on this server")
		return false
	}
	return true
}

// apiConditionFail answers a refused condition request: 400 with the field
// problems, 403, 404 or 409 with the reason, 500 otherwise.
func (s *server) apiConditionFail(w http.ResponseWriter, r *http.Request, err error) {
	k, ok := conditionKind(err)
	if !ok {
		s.apiFail(w, r, err)
		return
	}
	status := k.status()
	body := map[string]any{"error": conditionMessage(err)}
	if k == kindInvalid {
		status = http.StatusBadRequest
		var fe trigger.FieldErrors
		if errors.As(err, &fe) {
			fields := map[string]string{}
			for _, f := range fe {
				fields[f.Field] = f.Problem
			}
			body["fields"] = fields
		}
	}
	s.writeJSON(w, r, status, body)
}

// conditionMessage is the refusal without the kind's sentinel text at its end.
func conditionMessage(err error) string {
	msg := err.Error()
	for _, sentinel := range []error{trigger.ErrInvalid, trigger.ErrForbidden, trigger.ErrNotFound, trigger.ErrConflict} {
		msg = strings.TrimSuffix(msg, ": "+sentinel.Error())
	}
	return msg
}
