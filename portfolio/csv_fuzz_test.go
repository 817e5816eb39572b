package portfolio

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

// The fuzz targets of the import files. Each checks, for any input, that the
// parser does not panic; that its problems are ImportErrors with a line and
// a reason; and that the rows it accepted, written back out as CSV (decimals
// with their exact String, never through a float), parse again to the same
// values with no problem. `go test` runs the seeds below and testdata/fuzz.

// csvKind is how to fuzz one import file kind.
type csvKind[T any] struct {
	parse  func(io.Reader) (ImportFile[T], error)
	header []string
	write  func(T) []string
}

// check is the body of every CSV fuzz target.
func (k csvKind[T]) check(t *testing.T, data []byte) {
	f, err := k.parse(bytes.NewReader(data))
	if err != nil {
		var ie ImportErrors
		if !errors.As(err, &ie) {
			t.Fatalf("error is not ImportErrors from an in-memory reader: %v", err)
		}
		checkLineErrors(t, ie)
		return
	}
	checkLineErrors(t, f.Errors)
	last := 1
	for _, r := range f.Rows {
		if r.Line <= last {
			t.Fatalf("row on line %d after line %d", r.Line, last)
		}
		last = r.Line
	}
	for _, r := range f.Rows {
		if s := fmt.Sprintf("%+v", r.Value); !utf8.ValidString(s) {
			t.Fatalf("accepted a row that is not UTF-8 text: %q", s)
		}
	}
	if len(f.Errors) > 0 || len(f.Rows) == 0 {
		return
	}
	var out bytes.Buffer
	w := csv.NewWriter(&out)
	_ = w.Write(k.header)
	for _, r := range f.Rows {
		_ = w.Write(k.write(r.Value))
	}
	w.Flush()
	again, err := k.parse(bytes.NewReader(out.Bytes()))
	if err != nil || len(again.Errors) > 0 {
		t.Fatalf("rows written back do not parse: %v %v\n%s", err, again.Errors, out.String())
	}
	if len(again.Rows) != len(f.Rows) {
		t.Fatalf("written back: %d rows, want %d\n%s", len(again.Rows), len(f.Rows), out.String())
	}
	for i := range f.Rows {
		if !sameValue(f.Rows[i].Value, again.Rows[i].Value) {
			t.Fatalf("row %d changed on the way back:\n%+v\n%+v", i, f.Rows[i].Value, again.Rows[i].Value)
		}
	}
}

func checkLineErrors(t *testing.T, errs ImportErrors) {
	t.Helper()
	for _, e := range errs {
		if e.Line < 1 || strings.TrimSpace(e.Reason) == "" {
			t.Fatalf("unclear problem: %+v", e)
		}
	}
}

// sameValue compares two parsed values, decimals by Equal.
func sameValue(a, b any) bool {
	return reflect.DeepEqual(normalise(reflect.ValueOf(a)), normalise(reflect.ValueOf(b)))
}

var (
	decimalType = reflect.TypeOf(decimal.Decimal{})
	timeType    = reflect.TypeOf(time.Time{})
)

// normalise turns a value into maps and strings, with decimals as their
// canonical String (so 1.50 and 1.5 compare equal, as Equal would).
func normalise(v reflect.Value) any {
	switch {
	case v.Type() == decimalType:
		return v.Interface().(decimal.Decimal).String()
	case v.Type() == timeType:
		return v.Interface().(time.Time).UTC().Format(time.RFC3339Nano)
	case v.Kind() == reflect.Struct:
		m := map[string]any{}
		for i := 0; i < v.NumField(); i++ {
			m[v.Type().Field(i).Name] = normalise(v.Field(i))
		}
		return m
	case v.Kind() == reflect.Slice:
		out := make([]any, v.Len())
		for i := range out {
			out[i] = normalise(v.Index(i))
		}
		return out
	}
	return v.Interface()
}

func yes(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

var fuzzNow = time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)

var (
	securitiesKind = csvKind[Security]{parse: ParseSecuritiesCSV,
		header: []string{"symbol", "name", "issuer", "sector", "country", "currency", "asset_class", "lot_size", "adv", "shares_outstanding", "price_increment"},
		write: func(s Security) []string {
			return []string{s.Symbol, s.Name, s.Issuer, s.Sector, s.Country, s.Currency, s.AssetClass,
				s.LotSize.String(), s.ADV.String(), s.SharesOutstanding.String(), s.PriceIncrement.String()}
		}}
	portfoliosKind = csvKind[Portfolio]{parse: ParsePortfoliosCSV,
		header: []string{"portfolio", "name", "base_currency", "cash", "model", "tags", "default_broker"},
		write: func(p Portfolio) []string {
			return []string{p.Code, p.Name, p.BaseCurrency, p.Cash.String(), p.Model, strings.Join(p.Tags, ";"), p.DefaultBroker}
		}}
	holdingsKind = csvKind[Position]{parse: ParseHoldingsCSV,
		header: []string{"portfolio", "symbol", "quantity", "avg_cost"},
		write: func(p Position) []string {
			return []string{p.Portfolio, p.Symbol, p.Quantity.String(), p.AvgCost.String()}
		}}
	pricesKind = csvKind[Price]{parse: func(r io.Reader) (ImportFile[Price], error) { return ParsePricesCSV(r, fuzzNow) },
		header: []string{"symbol", "price", "as_of"},
		write: func(p Price) []string {
			return []string{p.Symbol, p.Value.String(), p.AsOf.Format(time.RFC3339Nano)}
		}}
	modelsKind = csvKind[ModelLine]{parse: ParseModelsCSV,
		header: []string{"model", "symbol", "weight", "band"},
		write: func(l ModelLine) []string {
			return []string{l.Model, l.Target.Symbol, l.Target.Weight.String(), l.Target.Band.String()}
		}}
	restrictionsKind = csvKind[RestrictionLine]{parse: ParseRestrictionsCSV,
		header: []string{"portfolio", "symbol", "do_not_buy", "do_not_sell", "excluded"},
		write: func(l RestrictionLine) []string {
			return []string{l.Portfolio, l.Symbol, yes(l.DoNotBuy), yes(l.DoNotSell), yes(l.Excluded)}
		}}
)

// Seeds common to every kind: the hostile shapes of the bad-input catalogue.
var commonSeeds = []string{
	"",
	"\uFEFF",
	"symbol\n",
	"a,b\n\"unterminated\n",
	"\x00\xff\xfe",
	"=cmd|' /C calc'!A0,@SUM(1),+1,-1\n",
}

func FuzzParseSecuritiesCSV(f *testing.F) {
	for _, s := range append(commonSeeds,
		"symbol,name,issuer,sector,country,currency,asset_class,lot_size,adv,shares_outstanding\nAAA,Alpha,Alpha,Tech,us,usd,Equity,1,1000000,5000000\n",
		"\uFEFFsymbol,name,issuer,sector,country,currency,asset_class,lot_size,adv,shares_outstanding,price_increment\r\n\"B,B\",\"Beta, \"\"Bank\"\"\",Beta,Fin,GB,GBP,equity,100,1e3,0,0.005\r\n",
		"symbol,name,issuer,sector,country,currency,asset_class,lot_size,adv,shares_outstanding\nCASH,x,x,x,US,USD,equity,0,-1,NaN\n") {
		f.Add([]byte(s))
	}
	f.Fuzz(securitiesKind.check)
}

func FuzzParsePortfoliosCSV(f *testing.F) {
	for _, s := range append(commonSeeds,
		"portfolio,name,base_currency,cash,model,tags,default_broker\nGROWTH,Growth Fund,usd,-12.50,Balanced,UCITS;esg ucits,SIM\n",
		"portfolio,name,base_currency,cash\nP1,<script>alert(1)</script>,EUR,0.000000000000000000000000000001\nP1,dup,EUR,1\n") {
		f.Add([]byte(s))
	}
	f.Fuzz(portfoliosKind.check)
}

func FuzzParseHoldingsCSV(f *testing.F) {
	for _, s := range append(commonSeeds,
		"portfolio,symbol,quantity,avg_cost\nGROWTH,AAA,10,90.125\nGROWTH,BBB,-100,25\n",
		"Avg_Cost , Quantity,symbol,portfolio\n1,+5,AAA,P\n,,,\n2,3,AAA,P\n") {
		f.Add([]byte(s))
	}
	f.Fuzz(holdingsKind.check)
}

func FuzzParsePricesCSV(f *testing.F) {
	for _, s := range append(commonSeeds,
		"symbol,price,as_of\nAAA,101.25,2026-03-02T16:30:00+01:00\nAAA,101.5,2026-03-02\nBBB,.5,\n",
		"symbol,price,as_of\nAAA,1,2099-01-01\nAAA,0,2026-13-40\nCCC,99999999999999999999999999999.99,\n") {
		f.Add([]byte(s))
	}
	f.Fuzz(pricesKind.check)
}

func FuzzParseModelsCSV(f *testing.F) {
	for _, s := range append(commonSeeds,
		"model,symbol,weight,band\nGrowth,AAA,60,±1\nGrowth,cash,40,10%\n",
		"model,symbol,weight\nM,AAA,33.3333333333\nM,BBB,33.3333333333\nM,CCC,33.3333333334\nN,AAA,99.5\n") {
		f.Add([]byte(s))
	}
	f.Fuzz(modelsKind.check)
}

func FuzzParseRestrictionsCSV(f *testing.F) {
	for _, s := range append(commonSeeds,
		"portfolio,symbol,do_not_buy,do_not_sell,excluded\nGROWTH,AAA,yes,,x\nGROWTH,BBB,maybe,0,N\n",
		"portfolio,symbol\nP,AAA\nP,AAA\n") {
		f.Add([]byte(s))
	}
	f.Fuzz(restrictionsKind.check)
}

// FuzzParseDecimal checks that what ParseDecimal accepts is exactly the
// decimal written (no float on the way: its String parses back Equal) and
// that it refuses exponents and anything but digits, a sign and a point.
func FuzzParseDecimal(f *testing.F) {
	for _, s := range []string{"0", "-1.50", "+.5", "1e3", "NaN", "Inf", "0x10", "1_000", "1,000.00", "٣", "123456789012345678901234567890.123456789012345678901234567890"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDecimal(s)
		if err != nil {
			if !strings.Contains(err.Error(), "number") {
				t.Fatalf("unclear error for %q: %v", s, err)
			}
			return
		}
		if strings.ContainsAny(s, "eEnNxX_, ") {
			t.Fatalf("accepted %q", s)
		}
		back, err := ParseDecimal(d.String())
		if err != nil || !back.Equal(d) {
			t.Fatalf("%q parsed to %s, which does not parse back equal: %v", s, d, err)
		}
		if want, _ := decimal.NewFromString(s); !want.Equal(d) {
			t.Fatalf("%q parsed to %s", s, d)
		}
	})
}

// TestFuzzSeedsRoundTrip makes sure a good seed of each kind reaches the
// round trip of its fuzz target (parses with rows and no problem).
func TestFuzzSeedsRoundTrip(t *testing.T) {
	for name, run := range map[string]func() (int, int, error){
		"securities": func() (int, int, error) {
			f, err := ParseSecuritiesCSV(strings.NewReader("symbol,name,issuer,sector,country,currency,asset_class,lot_size,adv,shares_outstanding\nAAA,Alpha,Alpha,Tech,us,usd,Equity,1,1000000,5000000\n"))
			return len(f.Rows), len(f.Errors), err
		},
		"portfolios": func() (int, int, error) {
			f, err := ParsePortfoliosCSV(strings.NewReader("portfolio,name,base_currency,cash,model,tags,default_broker\nGROWTH,Growth Fund,usd,-12.50,Balanced,UCITS;esg ucits,SIM\n"))
			return len(f.Rows), len(f.Errors), err
		},
		"prices": func() (int, int, error) {
			f, err := ParsePricesCSV(strings.NewReader("symbol,price,as_of\nAAA,101.25,2026-03-02T16:30:00+01:00\nAAA,101.5,2026-03-02\nBBB,.5,\n"), fuzzNow)
			return len(f.Rows), len(f.Errors), err
		},
		"models": func() (int, int, error) {
			f, err := ParseModelsCSV(strings.NewReader("model,symbol,weight,band\nGrowth,AAA,60,±1\nGrowth,cash,40,10%\n"))
			return len(f.Rows), len(f.Errors), err
		},
	} {
		rows, bad, err := run()
		if err != nil || bad > 0 || rows == 0 {
			t.Errorf("%s seed: %d rows, %d problems, %v", name, rows, bad, err)
		}
	}
}

// TestNotUTF8Refused checks that a line in another encoding (Latin-1 here)
// is refused with a clear reason instead of being stored as broken text.
func TestNotUTF8Refused(t *testing.T) {
	f, err := ParseHoldingsCSV(strings.NewReader("portfolio,symbol,quantity,avg_cost\nSoci\xe9t\xe9,AAA,1,1\nGROWTH,BBB,1,1\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Errors) != 1 || f.Errors[0].Line != 2 || !strings.Contains(f.Errors[0].Reason, "UTF-8") {
		t.Errorf("errors %+v, want line 2 not UTF-8", f.Errors)
	}
	if len(f.Rows) != 1 || f.Rows[0].Value.Portfolio != "GROWTH" {
		t.Errorf("rows %+v", f.Rows)
	}
}
