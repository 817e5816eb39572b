package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/ballast-oms/ballast/compliance"
	"github.com/ballast-oms/ballast/order"
)

// maxRulesBody bounds a rules file sent to the API.
const maxRulesBody = 1 << 20

// apiRulesExport answers the active rules in the rules-file format.
func (s *server) apiRulesExport(w http.ResponseWriter, r *http.Request) {
	all, err := s.compliance.Rules(r.Context())
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	var active []compliance.Rule
	for _, v := range all {
		if v.Enabled {
			active = append(active, v.Rule)
		}
	}
	b, err := compliance.MarshalRules(active)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(b)
}

// apiRulesImport makes the posted rules file the rule set, all or nothing:
// 422 with every problem ("problems") when the file or any rule is bad.
func (s *server) apiRulesImport(w http.ResponseWriter, r *http.Request) {
	rules, err := compliance.ParseRules(http.MaxBytesReader(w, r.Body, maxRulesBody))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		s.apiFail(w, r, err)
		return
	case err != nil:
		s.rulesRefused(w, r, err)
		return
	}
	reason := strings.TrimSpace(r.URL.Query().Get("reason"))
	if reason == "" {
		reason = "rules import (API)"
	}
	n, err := s.compliance.ImportRules(r.Context(), rules, signedIn(r), reason)
	switch {
	case errors.Is(err, order.ErrInvalid):
		s.rulesRefused(w, r, err)
	case err != nil:
		s.apiFail(w, r, err)
	default:
		s.writeJSON(w, r, http.StatusOK, map[string]int{"rules": len(rules), "versions": n})
	}
}

// rulesRefused answers 422 with every problem of a refused rules file.
func (s *server) rulesRefused(w http.ResponseWriter, r *http.Request, err error) {
	s.writeJSON(w, r, http.StatusUnprocessableEntity, map[string]any{"error": "nothing imported", "problems": problemsOf(err)})
}

// apiAlerts lists alerts; ?status=open,acknowledged filters them.
func (s *server) apiAlerts(w http.ResponseWriter, r *http.Request) {
	var statuses []compliance.AlertStatus
	for _, st := range strings.Split(r.URL.Query().Get("status"), ",") {
		switch st = strings.TrimSpace(st); compliance.AlertStatus(st) {
		case "":
		case compliance.AlertOpen, compliance.AlertAcknowledged, compliance.AlertResolved:
			statuses = append(statuses, compliance.AlertStatus(st))
		default:
			s.apiError(w, r, http.StatusUnprocessableEntity, "status "+strconv.Quote(st)+" is not open, acknowledged or resolved")
			return
		}
	}
	list, err := s.compliance.Alerts(r.Context(), statuses)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	if list == nil {
		list = []compliance.AlertRecord{}
	}
	s.writeJSON(w, r, http.StatusOK, map[string]any{"alerts": list})
}

// apiAlertAck acknowledges an open alert; {"note"} is optional.
func (s *server) apiAlertAck(w http.ResponseWriter, r *http.Request) {
	s.apiAlertMove(w, r, s.compliance.AcknowledgeAlert)
}

// apiAlertResolve resolves an alert; {"note"} is optional.
func (s *server) apiAlertResolve(w http.ResponseWriter, r *http.Request) {
	s.apiAlertMove(w, r, s.compliance.ResolveAlert)
}

func (s *server) apiAlertMove(w http.ResponseWriter, r *http.Request, move func(ctx context.Context, id int64, by, note string) error) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil {
		s.apiError(w, r, http.StatusNotFound, "no such alert")
		return
	}
	var body struct {
		Note string `json:"note"`
	}
	if r.ContentLength != 0 {
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 8<<10)).Decode(&body); err != nil {
			s.apiError(w, r, http.StatusBadRequest, "the body is not {\"note\": \"…\"}")
			return
		}
	}
	if err := move(r.Context(), id, signedIn(r), body.Note); err != nil {
		s.apiFail(w, r, orderFault(err))
		return
	}
	s.writeJSON(w, r, http.StatusOK, map[string]any{"id": id, "done": true})
}

// apiBatch runs the post-trade batch; {"portfolios": [...]} limits it.
func (s *server) apiBatch(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Portfolios []string `json:"portfolios"`
	}
	if r.ContentLength != 0 {
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&body); err != nil {
			s.apiError(w, r, http.StatusBadRequest, "the body is not {\"portfolios\": [...]}")
			return
		}
	}
	sum, err := s.compliance.RunBatch(r.Context(), body.Portfolios)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, sum)
}

// complianceJSON is an order's compliance in the API.
type complianceJSON struct {
	Order     int64            `json:"order"`
	Status    string           `json:"status"`
	Verdict   string           `json:"verdict"`
	Phase     string           `json:"phase"`
	Results   []resultJSON     `json:"results"`
	Overrides []order.Override `json:"overrides"`
}

type resultJSON struct {
	Rule       string `json:"rule"`
	Name       string `json:"name"`
	Version    int    `json:"version"`
	Severity   string `json:"severity"`
	Status     string `json:"status"`
	Group      string `json:"group,omitempty"`
	Value      string `json:"value"`
	Limit      string `json:"limit"`
	Unit       string `json:"unit"`
	Message    string `json:"message"`
	Overridden bool   `json:"overridden"`
}

func toComplianceJSON(rev OrderReview) complianceJSON {
	out := complianceJSON{Order: rev.Order.ID, Status: string(rev.Order.Status), Verdict: string(rev.Check.Verdict),
		Phase: string(rev.Check.Phase), Results: []resultJSON{}, Overrides: rev.Overrides}
	if out.Overrides == nil {
		out.Overrides = []order.Override{}
	}
	for _, x := range rev.Check.Results {
		out.Results = append(out.Results, resultJSON{Rule: x.RuleID, Name: x.RuleName, Version: x.Version,
			Severity: string(x.Severity), Status: string(x.Status), Group: x.Group, Value: x.Value.String(),
			Limit: x.Limit.String(), Unit: string(x.Unit), Message: x.Message, Overridden: x.Overridden})
	}
	return out
}

// apiOrderCompliance answers an order's latest compliance findings.
func (s *server) apiOrderCompliance(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil {
		s.apiError(w, r, http.StatusNotFound, "no such order")
		return
	}
	rev, err := s.compliance.Review(r.Context(), id)
	if err != nil {
		s.apiFail(w, r, orderFault(err))
		return
	}
	s.writeJSON(w, r, http.StatusOK, toComplianceJSON(rev))
}

// apiOverride overrides one soft breach: {"rule","group","reason_code","reason"}.
func (s *server) apiOverride(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil {
		s.apiError(w, r, http.StatusNotFound, "no such order")
		return
	}
	var body struct {
		Rule       string `json:"rule"`
		Group      string `json:"group"`
		ReasonCode string `json:"reason_code"`
		Reason     string `json:"reason"`
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 16<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		s.apiError(w, r, http.StatusBadRequest, "the body is not {\"rule\", \"group\", \"reason_code\", \"reason\"}: "+err.Error())
		return
	}
	u, _ := userFrom(r.Context())
	_, err = s.compliance.Override(r.Context(), id, actorOf(u),
		order.Override{RuleID: body.Rule, Group: body.Group, ReasonCode: body.ReasonCode, Reason: body.Reason})
	if err != nil {
		s.apiFail(w, r, orderFault(err))
		return
	}
	rev, err := s.compliance.Review(r.Context(), id)
	if err != nil {
		s.apiFail(w, r, orderFault(err))
		return
	}
	s.writeJSON(w, r, http.StatusOK, toComplianceJSON(rev))
}
