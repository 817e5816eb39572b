package portfolio

import (
	"fmt"
	"io"
	"strings"
)

// modelsSpec is the models file: model,symbol,weight[,band] (see docs/import.md).
var modelsSpec = csvSpec{required: []string{"model", "symbol", "weight"}, optional: []string{"band"}}

// ModelLine is one line of a models file: a target of the named model.
type ModelLine struct {
	Model  string
	Target Target
}

// ParseModelsCSV parses a models file keyed by model and symbol; the cash
// target is written with the symbol CASH. Band is optional: "1" or "±1" for
// ±1 percentage point, "10%" for ±10% of the target, empty for the model's.
// Every model whose lines all parse must have weights summing to exactly 100,
// CASH included; otherwise its last line reports by how much it misses
// ("model Growth: weights sum to 99.5, 0.5 short of 100").
func ParseModelsCSV(r io.Reader) (ImportFile[ModelLine], error) {
	var f ImportFile[ModelLine]
	seen := dupes{}
	broken := map[string]bool{} // models with a bad line: their sum means nothing
	cols, bad, err := readCSV(r, modelsSpec, func(rec csvRecord) []string {
		c := fieldCheck{rec: rec}
		l := ModelLine{Model: c.text("model", true)}
		if DotName(l.Model) {
			c.fail("model %q cannot be a model name: a link to its page would lead elsewhere", l.Model)
		}
		l.Target.Symbol = c.key("symbol")
		if strings.EqualFold(l.Target.Symbol, CashSymbol) {
			l.Target.Symbol = CashSymbol
		}
		l.Target.Weight = c.number("weight", nonNegative)
		if b := c.rec.get("band"); b != "" {
			band, err := ParseBand(b)
			if err != nil {
				c.fail("bad band: %v", err)
			}
			l.Target.Band = band
		}
		if l.Model != "" && l.Target.Symbol != "" {
			c.reasons = append(c.reasons, seen.check("target", l.Model+" "+l.Target.Symbol, rec.line)...)
		}
		if len(c.reasons) == 0 {
			f.Rows = append(f.Rows, ImportRow[ModelLine]{Line: rec.line, Value: l})
		} else {
			broken[l.Model] = true
		}
		return c.reasons
	})
	f.Columns, f.Errors = cols, bad
	if err == nil {
		f.Errors = append(f.Errors, sumErrors(f.Rows, broken)...)
		SortErrors(f.Errors)
	}
	return f, err
}

// ModelsFromLines groups parsed lines into models, in the order each model
// first appears, with targets in file order.
func ModelsFromLines(rows []ImportRow[ModelLine]) []Model {
	var out []Model
	index := map[string]int{}
	for _, row := range rows {
		i, ok := index[row.Value.Model]
		if !ok {
			i = len(out)
			index[row.Value.Model] = i
			out = append(out, Model{Name: row.Value.Model})
		}
		out[i].Targets = append(out[i].Targets, row.Value.Target)
	}
	return out
}

// sumErrors reports, on its last line, every model not in broken whose weights miss 100.
func sumErrors(rows []ImportRow[ModelLine], broken map[string]bool) ImportErrors {
	last := map[string]int{}
	for _, row := range rows {
		last[row.Value.Model] = row.Line
	}
	var errs ImportErrors
	for _, m := range ModelsFromLines(rows) {
		if sum := m.Sum(); !broken[m.Name] && !sum.Equal(hundred) {
			errs = append(errs, LineError{Line: last[m.Name], Reason: fmt.Sprintf("model %s: %v", m.Name, sumError(sum))})
		}
	}
	return errs
}
