package db

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/ballast-oms/ballast/portfolio"
	"github.com/ballast-oms/ballast/rebalance"
	"github.com/shopspring/decimal"
)

func target(sym, w string, band ...portfolio.Band) portfolio.Target {
	t := portfolio.Target{Symbol: sym, Weight: decimal.RequireFromString(w)}
	if len(band) > 0 {
		t.Band = band[0]
	}
	return t
}

func TestSaveModelRoundTrip(t *testing.T) {
	d := openTest(t)
	seedSmall(t, d)
	ctx := context.Background()
	rel := portfolio.RelativeBand(decimal.NewFromInt(10))
	m := portfolio.Model{Name: "Core", Band: portfolio.AbsoluteBand(decimal.RequireFromString("1.5")),
		Targets: []portfolio.Target{target(portfolio.CashSymbol, "5"), target("BBB", "35", rel), target("AAA", "60")}}
	if err := d.SaveModel(ctx, m); err != nil {
		t.Fatal(err)
	}
	got, err := d.Model(ctx, "Core")
	if err != nil {
		t.Fatal(err)
	}
	syms := []string{}
	for _, tg := range got.Targets {
		syms = append(syms, tg.Symbol+"="+tg.Weight.String()+tg.Band.String())
	}
	if strings.Join(syms, " ") != "AAA=60 BBB=35±10% CASH=5" || got.Band.String() != "±1.5" {
		t.Errorf("Model = %v band %s", syms, got.Band)
	}
	// Replacing drops the old targets.
	m.Targets = []portfolio.Target{target("AAA", "100")}
	if err := d.SaveModel(ctx, m); err != nil {
		t.Fatal(err)
	}
	if got, _ := d.Model(ctx, "Core"); len(got.Targets) != 1 {
		t.Errorf("after replace: %v", got.Targets)
	}
	if _, err := d.Model(ctx, "Nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Model(Nope) err = %v, want ErrNotFound", err)
	}
}

func TestSaveModelRefusesInvalid(t *testing.T) {
	d := openTest(t)
	seedSmall(t, d)
	ctx := context.Background()
	tests := []struct {
		name    string
		targets []portfolio.Target
		want    string
	}{
		{"short", []portfolio.Target{target("AAA", "99.5")}, "0.5 short of 100"},
		{"over", []portfolio.Target{target("AAA", "60"), target("CASH", "41")}, "1 over 100"},
		{"unknown", []portfolio.Target{target("ZZZ", "100")}, "ZZZ: unknown symbol"},
		{"negative", []portfolio.Target{target("AAA", "110"), target("CASH", "-10")}, "negative"},
	}
	for _, tc := range tests {
		err := d.SaveModel(ctx, portfolio.Model{Name: tc.name, Targets: tc.targets})
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want ErrInvalid with %q", tc.name, err, tc.want)
		}
		if _, err := d.Model(ctx, tc.name); !errors.Is(err, ErrNotFound) {
			t.Errorf("%s: model written despite the error", tc.name)
		}
	}
}

func TestPortfolioTargetsAndModelFor(t *testing.T) {
	d := openTest(t)
	seedSmall(t, d)
	ctx := context.Background()
	own := portfolio.Model{Targets: []portfolio.Target{target("AAA", "50"), target("CASH", "50")}}
	if err := d.SavePortfolioTargets(ctx, "P1", own); err != nil {
		t.Fatal(err)
	}
	// A shared model may share the name of a portfolio's own targets.
	if err := d.SaveModel(ctx, portfolio.Model{Name: "P1", Targets: []portfolio.Target{target("BBB", "100")}}); err != nil {
		t.Fatal(err)
	}
	got, err := d.ModelFor(ctx, "P1")
	if err != nil || got.Name != "P1" || len(got.Targets) != 2 {
		t.Fatalf("ModelFor(P1) = %+v, %v; want its own two targets", got, err)
	}
	if err := d.SetPortfolioModel(ctx, "P1", "P1"); err != nil {
		t.Fatal(err)
	}
	if got, _ := d.ModelFor(ctx, "P1"); len(got.Targets) != 1 || got.Targets[0].Symbol != "BBB" {
		t.Errorf("ModelFor(P1) following the shared model = %+v", got)
	}
	if err := d.SetPortfolioModel(ctx, "P1", "Missing"); !errors.Is(err, ErrNotFound) {
		t.Errorf("SetPortfolioModel(Missing) = %v", err)
	}
	if _, err := d.ModelFor(ctx, "P2"); !errors.Is(err, ErrNotFound) {
		t.Errorf("ModelFor(P2) without targets = %v, want ErrNotFound", err)
	}
	codes, err := d.PortfoliosOnModel(ctx, "P1")
	if err != nil || len(codes) != 1 || codes[0] != "P1" {
		t.Errorf("PortfoliosOnModel = %v, %v", codes, err)
	}
	if err := d.SavePortfolioTargets(ctx, "NOPE", own); !errors.Is(err, ErrNotFound) {
		t.Errorf("SavePortfolioTargets(NOPE) = %v", err)
	}
}

func TestImportModels(t *testing.T) {
	d := openTest(t)
	seedSmall(t, d)
	ctx := context.Background()
	good := "\ufeffmodel,symbol,weight,band\r\nCore,AAA,60,\r\nCore,BBB,35,10%\r\nCore,cash,5,\r\nSolo,CCC,100,±2\r\n"
	res, err := d.ImportCSV(ctx, ImportModels, strings.NewReader(good))
	if err != nil || res.Added != 2 || res.Updated != 0 {
		t.Fatalf("import = %+v, %v", res, err)
	}
	m, err := d.Model(ctx, "Core")
	if err != nil || len(m.Targets) != 3 || m.Targets[2].Symbol != "CASH" || m.Targets[1].Band.String() != "±10%" {
		t.Fatalf("Core = %+v, %v", m, err)
	}
	res, err = d.ImportCSV(ctx, ImportModels, strings.NewReader("model,symbol,weight\nCore,AAA,100\n"))
	if err != nil || res.Updated != 1 {
		t.Fatalf("re-import = %+v, %v", res, err)
	}
	bad := "model,symbol,weight,band\nCore,AAA,50,\nCore,CASH,49.5,\nNew,ZZZ,100,\nX,AAA,abc,\nX,CASH,100,\nY,AAA,100,2x\nX,CASH,0,\n"
	_, err = d.ImportCSV(ctx, ImportModels, strings.NewReader(bad))
	var le portfolio.ImportErrors
	if !errors.As(err, &le) {
		t.Fatalf("bad import err = %v, want ImportErrors", err)
	}
	got := le.Error()
	for _, want := range []string{
		"line 4: unknown symbol \"ZZZ\"",
		"line 5: bad weight",
		"line 7: bad band",
		"line 8: duplicate target X CASH (first on line 6)",
		"line 3: model Core: weights sum to 99.5, 0.5 short of 100",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("errors %q lack %q", got, want)
		}
	}
	if strings.Contains(got, "model X") {
		t.Errorf("a model with a bad line is also reported for its sum: %q", got)
	}
	if _, err := d.Model(ctx, "New"); !errors.Is(err, ErrNotFound) {
		t.Error("a bad file wrote a model")
	}
	if m, _ := d.Model(ctx, "Core"); len(m.Targets) != 1 {
		t.Errorf("a bad file changed Core: %+v", m.Targets)
	}
}

func TestRestrictions(t *testing.T) {
	d := openTest(t)
	seedSmall(t, d)
	ctx := context.Background()
	if err := d.SetRestriction(ctx, "P1", "AAA", rebalance.Restriction{DoNotSell: true}); err != nil {
		t.Fatal(err)
	}
	if err := d.SetRestriction(ctx, "P1", "BBB", rebalance.Restriction{Excluded: true}); err != nil {
		t.Fatal(err)
	}
	if err := d.SetRestriction(ctx, "P1", "BBB", rebalance.Restriction{}); err != nil {
		t.Fatal(err)
	}
	r, err := d.Restrictions(ctx, "P1")
	if err != nil || len(r) != 1 || !r["AAA"].DoNotSell || r["AAA"].DoNotBuy {
		t.Errorf("Restrictions = %+v, %v", r, err)
	}
	if err := d.SetRestriction(ctx, "P1", "ZZZ", rebalance.Restriction{DoNotBuy: true}); !errors.Is(err, ErrNotFound) {
		t.Errorf("restricting an unknown symbol: %v", err)
	}
}

func TestDemoModelsAndRebalanceInputs(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	if _, err := d.SeedDemo(ctx, "hash"); err != nil {
		t.Fatal(err)
	}
	ms, err := d.Models(ctx)
	if err != nil || len(ms) != 3 {
		t.Fatalf("Models = %d, %v; want Balanced, Growth, Income", len(ms), err)
	}
	for _, m := range ms {
		if err := m.Validate(); err != nil {
			t.Errorf("demo model %s: %v", m.Name, err)
		}
	}
	inputs, none, err := d.RebalanceInputs(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(inputs) != len(demoPortfolios) || len(none) != 0 {
		t.Fatalf("inputs %d, without targets %v", len(inputs), none)
	}
	outOfBand := 0
	for _, in := range inputs {
		dr := portfolio.MeasureDrift(in.Holdings, in.Model, in.Prices)
		outOfBand += dr.OutOfBand
	}
	if outOfBand == 0 {
		t.Error("the demo desk shows no drift: no line is out of band")
	}
	one, _, err := d.RebalanceInputs(ctx, []string{"FAM-01"})
	if err != nil || len(one) != 1 || one[0].Model.Name != "Balanced" {
		t.Fatalf("RebalanceInputs(FAM-01) = %+v, %v", one, err)
	}
	if _, _, err := d.RebalanceInputs(ctx, []string{"NOPE"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown portfolio: %v", err)
	}
}

func TestImportRestrictions(t *testing.T) {
	d := openTest(t)
	seedSmall(t, d)
	ctx := context.Background()
	good := "portfolio,symbol,do_not_buy,do_not_sell,excluded\nP1,AAA,yes,,\nP1,BBB,,1,\nP2,CCC,no,no,x\n"
	res, err := d.ImportCSV(ctx, ImportRestrictions, strings.NewReader(good))
	if err != nil || res.Added != 3 {
		t.Fatalf("import = %+v, %v", res, err)
	}
	r, _ := d.Restrictions(ctx, "P1")
	if !r["AAA"].DoNotBuy || r["AAA"].DoNotSell || !r["BBB"].DoNotSell || len(r) != 2 {
		t.Errorf("P1 restrictions %+v", r)
	}
	res, err = d.ImportCSV(ctx, ImportRestrictions, strings.NewReader("symbol,portfolio\nAAA,P1\n"))
	if err != nil || res.Updated != 1 {
		t.Fatalf("lifting = %+v, %v", res, err)
	}
	if r, _ := d.Restrictions(ctx, "P1"); len(r) != 1 {
		t.Errorf("after lifting AAA: %+v", r)
	}
	_, err = d.ImportCSV(ctx, ImportRestrictions, strings.NewReader("portfolio,symbol,excluded\nP9,AAA,1\nP1,ZZZ,1\nP1,BBB,maybe\nP2,CCC,0\n"))
	var le portfolio.ImportErrors
	if !errors.As(err, &le) || len(le) != 3 || !strings.Contains(le.Error(), `line 4: excluded "maybe" is not yes or no`) {
		t.Fatalf("bad file: %v", err)
	}
	if r, _ := d.Restrictions(ctx, "P2"); !r["CCC"].Excluded {
		t.Error("a bad file changed P2")
	}
	if err := d.SavePortfolioTargets(ctx, "P1", portfolio.Model{Targets: []portfolio.Target{target("CASH", "100")}}); err != nil {
		t.Fatal(err)
	}
	inputs, _, err := d.RebalanceInputs(ctx, []string{"P1"})
	if err != nil || len(inputs) != 1 || !inputs[0].Restrictions["BBB"].DoNotSell {
		t.Fatalf("plan input of P1 lacks its restriction: %+v, %v", inputs, err)
	}
}
