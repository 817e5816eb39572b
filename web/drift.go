package web

import (
	"encoding/csv"
	"fmt"
	"net/http"

	"github.com/ballast-oms/ballast/portfolio"
	"github.com/ballast-oms/ballast/user"
	"github.com/ballast-oms/ballast/web/views"
)

// driftList is the firm-wide drift page: every portfolio with targets, largest
// absolute drift first, optionally only those following ?model=.
func (s *server) driftList(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	inputs, none, err := s.store.RebalanceInputs(ctx, nil)
	if err != nil {
		s.fail(w, r, fmt.Errorf("web: drift list: %w", err))
		return
	}
	models, err := s.store.Models(ctx)
	if err != nil {
		s.fail(w, r, fmt.Errorf("web: drift list: %w", err))
		return
	}
	l := views.DriftList{Names: map[string]string{}, NoTargets: none, Model: r.URL.Query().Get("model")}
	for _, m := range models {
		l.Models = append(l.Models, m.Name)
	}
	for _, in := range inputs {
		l.Names[in.Holdings.Portfolio.Code] = in.Holdings.Portfolio.Name
		if l.Model == "" || in.Holdings.Portfolio.Model == l.Model {
			l.Rows = append(l.Rows, portfolio.MeasureDrift(in.Holdings, in.Model, in.Prices))
		}
	}
	portfolio.SortByLargestDrift(l.Rows)
	s.render(w, r, s.page(r, "Drift", "drift"), views.DriftListPage(l), nil)
}

// portfolioDriftData measures one portfolio against what it follows.
func (s *server) portfolioDriftData(r *http.Request, code string) (views.PortfolioDrift, error) {
	inputs, _, err := s.store.RebalanceInputs(r.Context(), []string{code})
	if err != nil {
		if s.isNotFound(err) {
			return views.PortfolioDrift{}, fault(kindNotFound, fmt.Sprintf("There is no portfolio %q.", code))
		}
		return views.PortfolioDrift{}, fmt.Errorf("web: drift %q: %w", code, err)
	}
	if len(inputs) == 0 {
		h, err := s.store.Holdings(r.Context(), code)
		if err != nil {
			return views.PortfolioDrift{}, fmt.Errorf("web: drift %q: %w", code, err)
		}
		u, _ := userFrom(r.Context())
		return views.PortfolioDrift{Portfolio: h.Portfolio, ModelName: h.Portfolio.Model, CanEdit: u.Has(user.PM)}, nil
	}
	in := inputs[0]
	u, _ := userFrom(r.Context())
	return views.PortfolioDrift{Portfolio: in.Holdings.Portfolio, HasModel: true, ModelName: in.Holdings.Portfolio.Model,
		Drift: portfolio.MeasureDrift(in.Holdings, in.Model, in.Prices), CanEdit: u.Has(user.PM)}, nil
}

// portfolioDrift is one portfolio's drift page with its chart.
func (s *server) portfolioDrift(w http.ResponseWriter, r *http.Request) {
	d, err := s.portfolioDriftData(r, pathParam(r, "code"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, s.pageWithFlash(r, "Drift · "+d.Portfolio.Name, "drift"), views.DriftPage(d), nil)
}

// portfolioDriftCSV exports one portfolio's drift as CSV.
func (s *server) portfolioDriftCSV(w http.ResponseWriter, r *http.Request) {
	d, err := s.portfolioDriftData(r, pathParam(r, "code"))
	if err == nil && !d.HasModel {
		err = fault(kindNotFound, fmt.Sprintf("Portfolio %q has no targets to measure drift against.", d.Portfolio.Code))
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	setAttachment(h, "drift-"+d.Portfolio.Code+".csv")
	h.Set("Cache-Control", "no-store")
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"portfolio", "model", "symbol", "in_model", "target", "weight", "drift", "band", "lower", "upper", "out_of_band", "value"})
	for _, l := range d.Drift.Lines {
		_ = cw.Write([]string{portfolio.CSVSafe(d.Portfolio.Code), portfolio.CSVSafe(d.Drift.Model), portfolio.CSVSafe(l.Symbol), fmt.Sprint(l.InModel),
			l.Target.String(), l.Weight.Round(apiWeightPlaces).String(), l.Drift.Round(apiWeightPlaces).String(),
			l.Band.String(), l.Lower.String(), l.Upper.String(), fmt.Sprint(l.OutOfBand), l.Value.String()})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		s.log.ErrorContext(r.Context(), "write drift csv", "portfolio", d.Portfolio.Code, "err", err)
	}
}

// driftLineJSON is one line of a portfolio's drift; weights in percent.
type driftLineJSON struct {
	Symbol    string `json:"symbol"`
	InModel   bool   `json:"in_model"`
	Priced    bool   `json:"priced"`
	Value     string `json:"value"`
	Target    string `json:"target"`
	Weight    string `json:"weight"`
	Drift     string `json:"drift"`
	Band      string `json:"band"`
	Lower     string `json:"lower"`
	Upper     string `json:"upper"`
	OutOfBand bool   `json:"out_of_band"`
}

// apiDrift is GET /api/v1/portfolios/{code}/drift.
func (s *server) apiDrift(w http.ResponseWriter, r *http.Request) {
	d, err := s.portfolioDriftData(r, pathParam(r, "code"))
	if err == nil && !d.HasModel {
		err = fault(kindNotFound, "portfolio has no model and no targets")
	}
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	lines := make([]driftLineJSON, len(d.Drift.Lines))
	for i, l := range d.Drift.Lines {
		lines[i] = driftLineJSON{Symbol: l.Symbol, InModel: l.InModel, Priced: l.Priced, Value: l.Value.String(),
			Target: l.Target.String(), Weight: l.Weight.Round(apiWeightPlaces).String(), Drift: l.Drift.Round(apiWeightPlaces).String(),
			Band: l.Band.String(), Lower: l.Lower.String(), Upper: l.Upper.String(), OutOfBand: l.OutOfBand}
	}
	s.writeJSON(w, r, http.StatusOK, map[string]any{
		"portfolio": d.Portfolio.Code, "model": d.Drift.Model, "nav": d.Drift.NAV.String(),
		"max_abs_drift": d.Drift.MaxAbsDrift.Round(apiWeightPlaces).String(), "max_symbol": d.Drift.MaxSymbol,
		"sum_abs_drift": d.Drift.SumAbsDrift.Round(apiWeightPlaces).String(), "out_of_band": d.Drift.OutOfBand,
		"lines": lines,
	})
}
