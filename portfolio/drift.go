package portfolio

import (
	"sort"

	"github.com/shopspring/decimal"
)

// DriftLine is one security's (or cash's) position against its target, all in
// percent of NAV. Drift is Weight − Target; a held security that the model does
// not list has target 0 and InModel false.
type DriftLine struct {
	Symbol    string
	InModel   bool
	Priced    bool // false when a held security has no price (valued at zero)
	Value     decimal.Decimal
	Target    decimal.Decimal
	Weight    decimal.Decimal
	Drift     decimal.Decimal
	Band      Band
	Lower     decimal.Decimal
	Upper     decimal.Decimal
	OutOfBand bool
}

// Drift is a portfolio measured against its model: one line per model
// security and per held security outside the model, ordered by symbol, then
// the CASH line last; plus a summary for firm-wide drift lists.
type Drift struct {
	Portfolio   string
	Model       string
	NAV         decimal.Decimal
	Lines       []DriftLine
	MaxAbsDrift decimal.Decimal // largest |drift| over all lines, cash included
	MaxSymbol   string          // the line with MaxAbsDrift (the first in line order on ties)
	SumAbsDrift decimal.Decimal // sum of |drift| over all lines, cash included
	OutOfBand   int             // how many lines are outside their band
}

// MeasureDrift values h at prices and compares every weight with model's
// targets and bands. Weights are unrounded percentages (see Value).
func MeasureDrift(h Holdings, model Model, prices map[string]decimal.Decimal) Drift {
	v := Value(h, prices)
	d := Drift{Portfolio: h.Portfolio.Code, Model: model.Name, NAV: v.NAV}
	seen := make(map[string]bool, len(v.Lines)+len(model.Targets))
	for _, l := range v.Lines {
		if seen[l.Symbol] { // two lots of one symbol: add them up
			d.addTo(l.Symbol, l.MarketValue, v.NAV)
			continue
		}
		seen[l.Symbol] = true
		t, ok := model.Target(l.Symbol)
		d.Lines = append(d.Lines, driftLine(l.Symbol, ok, l.Priced, l.MarketValue, l.Weight, t.Weight, model.BandFor(l.Symbol)))
	}
	for _, t := range model.Targets {
		if t.Symbol == CashSymbol || seen[t.Symbol] {
			continue
		}
		_, priced := prices[t.Symbol]
		d.Lines = append(d.Lines, driftLine(t.Symbol, true, priced, decimal.Zero, decimal.Zero, t.Weight, model.BandFor(t.Symbol)))
	}
	sort.Slice(d.Lines, func(i, j int) bool { return d.Lines[i].Symbol < d.Lines[j].Symbol })
	d.Lines = append(d.Lines, driftLine(CashSymbol, true, true, v.Cash, v.CashWeight, model.CashWeight(), model.BandFor(CashSymbol)))
	d.summarise()
	return d
}

func driftLine(symbol string, inModel, priced bool, value, weight, target decimal.Decimal, band Band) DriftLine {
	l := DriftLine{Symbol: symbol, InModel: inModel, Priced: priced, Value: value, Weight: weight, Target: target, Band: band}
	l.Drift = weight.Sub(target)
	l.Lower, l.Upper = band.Lower(target), band.Upper(target)
	l.OutOfBand = weight.LessThan(l.Lower) || weight.GreaterThan(l.Upper)
	return l
}

func (d *Drift) addTo(symbol string, value, nav decimal.Decimal) {
	for i := range d.Lines {
		if l := &d.Lines[i]; l.Symbol == symbol {
			*l = driftLine(symbol, l.InModel, l.Priced, l.Value.Add(value), WeightOf(l.Value.Add(value), nav), l.Target, l.Band)
		}
	}
}

func (d *Drift) summarise() {
	d.MaxAbsDrift, d.SumAbsDrift, d.OutOfBand = decimal.Zero, decimal.Zero, 0
	for _, l := range d.Lines {
		a := l.Drift.Abs()
		d.SumAbsDrift = d.SumAbsDrift.Add(a)
		if a.GreaterThan(d.MaxAbsDrift) || d.MaxSymbol == "" {
			d.MaxAbsDrift, d.MaxSymbol = a, l.Symbol
		}
		if l.OutOfBand {
			d.OutOfBand++
		}
	}
}

// SortByLargestDrift orders drifts for the firm-wide drift list: largest
// MaxAbsDrift first, then largest SumAbsDrift, then by portfolio code.
func SortByLargestDrift(ds []Drift) {
	sort.SliceStable(ds, func(i, j int) bool {
		if c := ds[i].MaxAbsDrift.Cmp(ds[j].MaxAbsDrift); c != 0 {
			return c > 0
		}
		if c := ds[i].SumAbsDrift.Cmp(ds[j].SumAbsDrift); c != 0 {
			return c > 0
		}
		return ds[i].Portfolio < ds[j].Portfolio
	})
}

// FilterByModel returns the drifts of portfolios that follow model, in order.
func FilterByModel(ds []Drift, model string) []Drift {
	var out []Drift
	for _, d := range ds {
		if d.Model == model {
			out = append(out, d)
		}
	}
	return out
}
