package portfolio

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

func TestParseDecimal(t *testing.T) {
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"0", "0", true},
		{"12.50", "12.5", true},
		{"-3.25", "-3.25", true},
		{"+7", "7", true},
		{".5", "0.5", true},
		{"1e5", "", false},
		{"1E-2", "", false},
		{"NaN", "", false},
		{"Inf", "", false},
		{"1,000", "", false},
		{"$5", "", false},
		{"1.", "", false},
		{"", "", false},
		{"-", "", false},
		{".", "", false},
		{"1.2.3", "", false},
		{" 1", "", false},
	}
	for _, tc := range tests {
		got, err := ParseDecimal(tc.in)
		if (err == nil) != tc.ok {
			t.Errorf("ParseDecimal(%q) err = %v, want ok=%v", tc.in, err, tc.ok)
			continue
		}
		if tc.ok && !got.Equal(decimal.RequireFromString(tc.want)) {
			t.Errorf("ParseDecimal(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestParseAsOf(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"2026-03-02", time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), true},
		{"2026-03-02T16:30:00Z", time.Date(2026, 3, 2, 16, 30, 0, 0, time.UTC), true},
		{"2026-03-02T16:30:00+01:00", time.Date(2026, 3, 2, 15, 30, 0, 0, time.UTC), true},
		{"2026-03-02T16:30:00.25Z", time.Date(2026, 3, 2, 16, 30, 0, 250e6, time.UTC), true},
		{"02/03/2026", time.Time{}, false},
		{"2026-03-02 16:30", time.Time{}, false},
	}
	for _, tc := range tests {
		got, err := ParseAsOf(tc.in)
		if (err == nil) != tc.ok || (tc.ok && !got.Equal(tc.want)) || (tc.ok && got.Location() != time.UTC) {
			t.Errorf("ParseAsOf(%q) = %v, %v; want %v ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

const secHeader = "symbol,name,issuer,sector,country,currency,asset_class,lot_size,adv,shares_outstanding\n"

func TestParseSecuritiesCSV(t *testing.T) {
	in := "\uFEFF" + strings.ReplaceAll(secHeader+
		"AAA,Alpha Inc,Alpha,Technology,us,usd,Equity,1,1000,5000\n"+
		`"BBB","Beta, Plc",Beta,Energy,GB,GBP,equity,100,0,0`+"\n,,,,,,,,,\n  \n", "\n", "\r\n")
	f, err := ParseSecuritiesCSV(strings.NewReader(in))
	if err != nil || len(f.Errors) > 0 {
		t.Fatalf("err = %v, line errors = %v", err, f.Errors)
	}
	if len(f.Rows) != 2 || f.Rows[1].Line != 3 {
		t.Fatalf("rows = %+v", f.Rows)
	}
	a := f.Rows[0].Value
	if a.Country != "US" || a.Currency != "USD" || a.AssetClass != AssetEquity || !a.ADV.Equal(decimal.NewFromInt(1000)) {
		t.Errorf("row 1 = %+v", a)
	}
	if f.Rows[1].Value.Name != "Beta, Plc" {
		t.Errorf("quoted name = %q", f.Rows[1].Value.Name)
	}
	if f.Columns["price_increment"] || !f.Columns["lot_size"] {
		t.Errorf("columns = %v", f.Columns)
	}
}

func TestParseSecuritiesCSVBadLines(t *testing.T) {
	in := secHeader +
		"AAA,Alpha,Alpha,Tech,US,USD,equity,1,0,0\n" + // 2 ok
		"BBB,Beta,Beta,Tech,US,USD,equity,-10,0,0\n" + // 3 negative lot size
		"CCC,Gamma,Gamma,Tech,US,USD,equity,1e3,0,0\n" + // 4 exponent
		"AAA,Alpha again,Alpha,Tech,US,USD,equity,1,0,0\n" + // 5 duplicate
		",Nameless,X,Tech,US,USD,equity,1,0,0\n" + // 6 empty symbol
		"DDD,Delta,Delta,Tech,USA,USD,stock,1,0,0\n" + // 7 country and class
		"EEE,Eps,Eps,Tech,US,USD,equity,1,0\n" + // 8 field count
		"CASH,Cash,Cash,Cash,US,USD,equity,1,0,0\n" // 9 reserved
	f, err := ParseSecuritiesCSV(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]string{
		3: "negative lot size -10",
		4: "bad lot_size",
		5: "duplicate symbol AAA (first on line 2)",
		6: "empty symbol",
		7: "country \"USA\" is not a 2-letter code; asset_class \"stock\"",
		8: "has 9 fields, the header has 10",
		9: "reserved for cash",
	}
	if len(f.Errors) != len(want) {
		t.Fatalf("errors = %v, want %d", f.Errors, len(want))
	}
	for _, e := range f.Errors {
		if !strings.Contains(e.Reason, want[e.Line]) || want[e.Line] == "" {
			t.Errorf("line %d: reason %q, want it to contain %q", e.Line, e.Reason, want[e.Line])
		}
	}
	if len(f.Rows) != 1 || f.Rows[0].Value.Symbol != "AAA" {
		t.Errorf("good rows = %+v", f.Rows)
	}
}

func TestHeaderProblems(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", "line 1: file is empty"},
		{"unknown", "symbol,price,colour\n", `line 1: unknown column "colour"`},
		{"missing", "symbol\n", `line 1: missing column "price"`},
		{"twice", "symbol,price,Price\n", `line 1: column "price" appears twice`},
		{"bad quotes", "symbol,price\nA\"B,1\n", "line 2: not valid CSV"},
	}
	for _, tc := range tests {
		_, err := ParsePricesCSV(strings.NewReader(tc.in), time.Now())
		var ie ImportErrors
		if !errors.As(err, &ie) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want ImportErrors containing %q", tc.name, err, tc.want)
		}
	}
}

func TestParsePricesCSV(t *testing.T) {
	now := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
	in := "as_of,price,symbol\n" +
		"2026-03-01,10.5,AAA\n" + // 2
		",11,AAA\n" + // 3 now
		"2026-03-02T12:00:00Z,12,AAA\n" + // 4 duplicate of line 3 (now)
		"2026-04-01,1,BBB\n" + // 5 future
		"2026-03-01,0,CCC\n" + // 6 zero price
		"yesterday,1,DDD\n" // 7 bad date
	f, err := ParsePricesCSV(strings.NewReader(in), now)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Rows) != 2 || !f.Rows[1].Value.AsOf.Equal(now) || f.Rows[0].Value.Source != "csv" {
		t.Errorf("rows = %+v", f.Rows)
	}
	lines := []int{}
	for _, e := range f.Errors {
		lines = append(lines, e.Line)
	}
	if len(lines) != 4 || lines[0] != 4 || lines[1] != 5 || lines[2] != 6 || lines[3] != 7 {
		t.Errorf("bad lines = %v (%v), want [4 5 6 7]", lines, f.Errors)
	}
}

func TestParsePortfoliosAndHoldingsCSV(t *testing.T) {
	pf, err := ParsePortfoliosCSV(strings.NewReader("portfolio,name,base_currency,cash,model,tags\n" +
		"GLB,Global,usd,1000.50,,UCITS;esg\n" +
		"GLB,Again,USD,1,,\n" +
		"EMP,,USD,x,,\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(pf.Rows) != 1 || pf.Rows[0].Value.BaseCurrency != "USD" || !pf.Rows[0].Value.HasTag("ucits") || !pf.Rows[0].Value.HasTag("esg") {
		t.Errorf("portfolio rows = %+v", pf.Rows)
	}
	if len(pf.Errors) != 2 || !strings.Contains(pf.Errors[1].Reason, "empty name; bad cash") {
		t.Errorf("portfolio errors = %v", pf.Errors)
	}
	if !pf.Columns["tags"] || pf.Columns["default_broker"] {
		t.Errorf("columns = %v", pf.Columns)
	}
	hf, err := ParseHoldingsCSV(strings.NewReader("symbol,portfolio,quantity,avg_cost\nAAA,GLB,-100,5\nAAA,GLB,1,1\nBBB,GLB,10,-1\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(hf.Rows) != 1 || !hf.Rows[0].Value.Quantity.Equal(decimal.NewFromInt(-100)) {
		t.Errorf("holding rows = %+v", hf.Rows)
	}
	if len(hf.Errors) != 2 || hf.Errors[0].Line != 3 || !strings.Contains(hf.Errors[1].Reason, "negative avg cost") {
		t.Errorf("holding errors = %v", hf.Errors)
	}
}

// TestParsePortfoliosCSVRefusesDotCodes: "." and ".." cannot be linked to
// (a browser drops them from the path); codes that only start with a dot can.
func TestParsePortfoliosCSVRefusesDotCodes(t *testing.T) {
	pf, err := ParsePortfoliosCSV(strings.NewReader("portfolio,name,base_currency,cash\n" +
		".,Dot,USD,1\n..,Dots,USD,1\n...,Three,USD,1\n.A,Hidden,USD,1\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(pf.Rows) != 2 || pf.Rows[0].Value.Code != "..." || pf.Rows[1].Value.Code != ".A" {
		t.Errorf("portfolio rows = %+v", pf.Rows)
	}
	want := []string{`line 2: portfolio "." cannot be a portfolio code`, `line 3: portfolio ".." cannot be a portfolio code`}
	if len(pf.Errors) != len(want) {
		t.Fatalf("errors %v, want %v", pf.Errors, want)
	}
	for i, w := range want {
		if !strings.HasPrefix(pf.Errors[i].Error(), w) {
			t.Errorf("error %q, want %q", pf.Errors[i].Error(), w)
		}
	}
}
