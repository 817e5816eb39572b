package db

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/ballast-oms/ballast/portfolio"
	"github.com/shopspring/decimal"
)

func importOK(t *testing.T, d *DB, kind, body string) portfolio.ImportResult {
	t.Helper()
	res, err := d.ImportCSV(context.Background(), kind, strings.NewReader(body))
	if err != nil {
		t.Fatalf("import %s: %v", kind, err)
	}
	return res
}

func securitiesFile(n, badLine int) string {
	var b strings.Builder
	b.WriteString("symbol,name,issuer,sector,country,currency,asset_class,lot_size,adv,shares_outstanding\r\n")
	for i := 2; i < n+2; i++ {
		lot := "100"
		if i == badLine {
			lot = "-100"
		}
		fmt.Fprintf(&b, "S%04d,Security %d,Issuer %d,Sector %d,US,USD,equity,%s,%d,%d\r\n", i, i, i/2, i%7, lot, i*1000, i*1e6)
	}
	return b.String()
}

func TestImportSecuritiesUpsert(t *testing.T) {
	d := openTest(t)
	res := importOK(t, d, ImportSecurities, securitiesFile(3, 0))
	if res != (portfolio.ImportResult{Added: 3}) {
		t.Errorf("first import = %+v, want 3 added", res)
	}
	res = importOK(t, d, ImportSecurities, "symbol,name,issuer,sector,country,currency,asset_class,lot_size,adv,shares_outstanding,price_increment\n"+
		"S0002,Renamed,Issuer 1,Tech,GB,GBP,fund,10,5,6,0.5\nNEW,New,New,Tech,FR,EUR,equity,1,0,0,\n")
	if res != (portfolio.ImportResult{Added: 1, Updated: 1}) {
		t.Errorf("second import = %+v, want 1 added 1 updated", res)
	}
	s, err := d.Security(context.Background(), "S0002")
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "Renamed" || s.AssetClass != "fund" || !s.PriceIncrement.Equal(decimal.RequireFromString("0.5")) {
		t.Errorf("updated security = %+v", s)
	}
	// A later file without price_increment keeps the stored one.
	importOK(t, d, ImportSecurities, securitiesFile(1, 0))
	if s, _ = d.Security(context.Background(), "S0002"); !s.PriceIncrement.Equal(decimal.RequireFromString("0.5")) {
		t.Errorf("price increment after file without the column = %s, want 0.5", s.PriceIncrement)
	}
}

// TestImportThousandRowsOneBad is the acceptance case: 1,000 rows, one
// bad, the error names that line and the database is unchanged.
func TestImportThousandRowsOneBad(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	importOK(t, d, ImportSecurities, "symbol,name,issuer,sector,country,currency,asset_class,lot_size,adv,shares_outstanding\nS0002,Before,Old,Tech,US,USD,equity,1,1,1\n")
	before := dump(t, d)
	_, err := d.ImportCSV(ctx, ImportSecurities, strings.NewReader(securitiesFile(1000, 777)))
	var ie portfolio.ImportErrors
	if !errors.As(err, &ie) {
		t.Fatalf("err = %v, want ImportErrors", err)
	}
	if len(ie) != 1 || ie[0].Line != 777 || !strings.Contains(ie[0].Error(), "line 777: negative lot size -100") {
		t.Errorf("errors = %v, want only line 777", ie)
	}
	if after := dump(t, d); after != before {
		t.Errorf("database changed by a rejected import:\nbefore %s\nafter  %s", before, after)
	}
	if res := importOK(t, d, ImportSecurities, securitiesFile(1000, 0)); res != (portfolio.ImportResult{Added: 999, Updated: 1}) {
		t.Errorf("good file = %+v, want 999 added 1 updated", res)
	}
}

// dump summarises the importable tables so a test can see any change.
func dump(t *testing.T, d *DB) string {
	t.Helper()
	var out []string
	for _, q := range []string{
		`SELECT count(*) || ':' || coalesce(group_concat(symbol || name || lot_size, ','), '') FROM securities`,
		`SELECT count(*) || ':' || coalesce(group_concat(code || name || cash || tags, ','), '') FROM portfolios`,
		`SELECT count(*) || ':' || coalesce(group_concat(portfolio || symbol || quantity, ','), '') FROM positions`,
		`SELECT count(*) || ':' || coalesce(group_concat(symbol || price || as_of, ','), '') FROM prices`,
		`SELECT count(*) FROM price_history`,
	} {
		var s string
		if err := d.Reader().QueryRow(q).Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return strings.Join(out, " | ")
}

func TestImportHoldingsChecksReferences(t *testing.T) {
	d := openTest(t)
	importOK(t, d, ImportSecurities, securitiesFile(2, 0))
	importOK(t, d, ImportPortfolios, "portfolio,name,base_currency,cash,model,tags,default_broker\nGLB,Global,USD,1000,,ucits,SIM\n")
	before := dump(t, d)
	_, err := d.ImportCSV(context.Background(), ImportHoldings, strings.NewReader(
		"portfolio,symbol,quantity,avg_cost\nGLB,S0002,100,10\nNOPE,S0003,1,1\nGLB,ZZZ,1,1\nGLB,S0003,x,1\n"))
	want := "line 3: unknown portfolio \"NOPE\"\nline 4: unknown symbol \"ZZZ\"\nline 5: bad quantity"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("err = %v, want it to contain %q", err, want)
	}
	if dump(t, d) != before {
		t.Error("a rejected holdings file changed the database")
	}
	body := "symbol,portfolio,avg_cost,quantity\nS0002,GLB,10,100\nS0003,GLB,5.5,-20\n"
	if res := importOK(t, d, ImportHoldings, body); res.Added != 2 {
		t.Errorf("holdings = %+v", res)
	}
	if res := importOK(t, d, ImportHoldings, "portfolio,symbol,quantity,avg_cost\nGLB,S0002,150,11\n"); res != (portfolio.ImportResult{Updated: 1}) {
		t.Errorf("re-import = %+v, want 1 updated", res)
	}
	h, err := d.Holdings(context.Background(), "GLB")
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Positions) != 2 || !h.Positions[0].Quantity.Equal(decimal.NewFromInt(150)) || !h.Positions[1].Quantity.Equal(decimal.NewFromInt(-20)) {
		t.Errorf("holdings = %+v", h.Positions)
	}
}

// TestImportRefusesDotNames: a portfolio code or a model name "." or ".."
// would have pages no link reaches; the file is refused, naming it.
func TestImportRefusesDotNames(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	importOK(t, d, ImportSecurities, securitiesFile(1, 0))
	for _, tc := range []struct{ kind, body, want string }{
		{ImportPortfolios, "portfolio,name,base_currency,cash\nGLB,Global,USD,1\n..,Up,USD,1\n", `line 3: portfolio ".." cannot be a portfolio code`},
		{ImportPortfolios, "portfolio,name,base_currency,cash\n.,Here,USD,1\n", `line 2: portfolio "." cannot be a portfolio code`},
		{ImportModels, "model,symbol,weight\n.,S0002,100\n", `line 2: model "." cannot be a model name`},
	} {
		_, err := d.ImportCSV(ctx, tc.kind, strings.NewReader(tc.body))
		var ie portfolio.ImportErrors
		if !errors.As(err, &ie) || len(ie) != 1 || !strings.HasPrefix(ie[0].Error(), tc.want) {
			t.Errorf("import %q: %v, want %q", tc.body, err, tc.want)
		}
	}
	for _, code := range []string{"GLB", ".", ".."} {
		if _, err := d.Portfolio(ctx, code); !errors.Is(err, ErrNotFound) {
			t.Errorf("portfolio %q: %v, want it not imported", code, err)
		}
	}
	if _, err := d.Model(ctx, "."); !errors.Is(err, ErrNotFound) {
		t.Errorf("model \".\": %v, want it not imported", err)
	}
}

func TestImportPortfoliosKeepsAbsentOptionalColumns(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	importOK(t, d, ImportPortfolios, "portfolio,name,base_currency,cash,model,tags,default_broker\nGLB,Global,USD,1000,balanced,ucits,SIM\n")
	res := importOK(t, d, ImportPortfolios, "portfolio,name,base_currency,cash\nGLB,Global Fund,USD,2500.75\n")
	if res != (portfolio.ImportResult{Updated: 1}) {
		t.Errorf("res = %+v", res)
	}
	p, err := d.Portfolio(ctx, "GLB")
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "Global Fund" || p.Model != "balanced" || !p.HasTag("ucits") || p.DefaultBroker != "SIM" || p.Cash.String() != "2500.75" {
		t.Errorf("portfolio = %+v", p)
	}
}

func TestImportPrices(t *testing.T) {
	d := openTest(t) // clock: 2026-03-02 09:30 UTC
	ctx := context.Background()
	importOK(t, d, ImportSecurities, securitiesFile(2, 0))
	res := importOK(t, d, ImportPrices, "\uFEFFsymbol,price,as_of\r\nS0002,10.5,2026-03-01\r\nS0002,10,2026-02-27\r\nS0003,7.25,\r\n")
	if res != (portfolio.ImportResult{Added: 3}) {
		t.Errorf("res = %+v", res)
	}
	// An older price goes into the history but does not replace the latest.
	res = importOK(t, d, ImportPrices, "symbol,price,as_of\nS0002,9,2026-02-28T16:30:00Z\nS0002,10.75,2026-03-01\n")
	if res != (portfolio.ImportResult{Added: 1, Updated: 1}) {
		t.Errorf("second res = %+v, want 1 added 1 updated", res)
	}
	prices, err := d.LatestPrices(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if p := prices["S0002"]; p.Value.String() != "10.75" || p.AsOf.Day() != 1 || p.Source != "csv" {
		t.Errorf("S0002 latest = %+v", p)
	}
	if p := prices["S0003"]; p.Value.String() != "7.25" || p.AsOf.Hour() != 9 {
		t.Errorf("S0003 latest = %+v (as_of defaults to now)", p)
	}
	_, err = d.ImportCSV(ctx, ImportPrices, strings.NewReader("symbol,price\nS0002,1\nNOPE,2\n"))
	if err == nil || !strings.Contains(err.Error(), `line 3: unknown symbol "NOPE"`) {
		t.Errorf("unknown symbol: err = %v", err)
	}
}

func TestImportUnknownKindAndHeader(t *testing.T) {
	d := openTest(t)
	if _, err := d.ImportCSV(context.Background(), "trades", strings.NewReader("a\n")); err == nil || !strings.Contains(err.Error(), "unknown kind") {
		t.Errorf("unknown kind: err = %v", err)
	}
	_, err := d.ImportCSV(context.Background(), ImportPrices, strings.NewReader("symbol,cost\n"))
	var ie portfolio.ImportErrors
	if !errors.As(err, &ie) || !strings.Contains(err.Error(), `unknown column "cost"`) || !strings.Contains(err.Error(), `missing column "price"`) {
		t.Errorf("bad header: err = %v", err)
	}
}
