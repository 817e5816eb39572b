package db

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/order"
	"github.com/ballast-oms/ballast/portfolio"
)

// The bad-input catalogue of the CSV imports, on real SQLite: one named case
// per bad input, each with its exact outcome — refused with the line and the
// reason and nothing written, or accepted and stored exactly. The formats are
// in docs/import.md; the limits in docs/security.md ("Bad input").

const (
	secHeader = "symbol,name,issuer,sector,country,currency,asset_class,lot_size,adv,shares_outstanding\n"
	pfHeader  = "portfolio,name,base_currency,cash\n"
)

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }

// tableCounts is every importable table's row count, models included.
func tableCounts(t *testing.T, d *DB) string {
	t.Helper()
	var s string
	err := d.Reader().QueryRow(`SELECT (SELECT count(*) FROM securities) || ' ' || (SELECT count(*) FROM portfolios) || ' ' ||
		(SELECT count(*) FROM positions) || ' ' || (SELECT count(*) FROM prices) || ' ' || (SELECT count(*) FROM price_history) || ' ' ||
		(SELECT count(*) FROM models) || ' ' || (SELECT count(*) FROM model_targets) || ' ' || (SELECT count(*) FROM restrictions)`).Scan(&s)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// seedBadInput stores one security (AAA) and one portfolio (GLB) to refer to.
func seedBadInput(t *testing.T) *DB {
	t.Helper()
	d := openTest(t)
	importOK(t, d, ImportSecurities, secHeader+"AAA,Alpha,Alpha,Tech,US,USD,equity,1,100,1000\n")
	importOK(t, d, ImportPortfolios, pfHeader+"GLB,Global,USD,1000\n")
	return d
}

// wantRefusedFile imports r and wants ImportErrors whose text contains want,
// with the database unchanged, dump and row counts alike.
func wantRefusedFile(t *testing.T, d *DB, kind string, r io.Reader, want string) {
	t.Helper()
	before, counts := dump(t, d), tableCounts(t, d)
	_, err := d.ImportCSV(context.Background(), kind, r)
	var ie portfolio.ImportErrors
	if !errors.As(err, &ie) || !strings.Contains(err.Error(), want) {
		t.Errorf("err = %v, want ImportErrors with %q", err, want)
	}
	if dump(t, d) != before || tableCounts(t, d) != counts {
		t.Errorf("a refused %s file changed the database", kind)
	}
}

// storedSecurity returns the stored security sym, failing the test if absent.
func storedSecurity(t *testing.T, d *DB, sym string) portfolio.Security {
	t.Helper()
	s, err := d.Security(context.Background(), sym)
	if err != nil {
		t.Fatalf("security %q: %v", sym, err)
	}
	return s
}

func utf16LE(s string) []byte {
	b := []byte{0xff, 0xfe}
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u), byte(u>>8))
	}
	return b
}

func utf16BE(s string) []byte {
	b := []byte{0xfe, 0xff}
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u>>8), byte(u))
	}
	return b
}

func TestBadInputCSVRefused(t *testing.T) {
	big := strings.Repeat("x", 10<<20)
	d := seedBadInput(t) // every case is refused, so one database serves them all
	for _, c := range []struct {
		name, kind string
		body       []byte
		want       string
	}{
		{"10 MB field", ImportSecurities, []byte(secHeader + "BBB," + big + ",B,Tech,US,USD,equity,1,1,1\n"), "line 2: is longer than 64 KB"},
		{"10 MB quoted field with line breaks", ImportPortfolios, []byte(pfHeader + "GLB,Global,USD,1\n\"P2\",\"" + strings.Repeat("x\n", 5<<20) + "\",USD,1\n"), "line 3: is longer than 64 KB"},
		{"10 MB header", ImportPrices, []byte("symbol," + big + "\n"), "line 1: is longer than 64 KB"},
		{"Latin-1 name", ImportSecurities, []byte(secHeader + "SOGN,Soci\xe9t\xe9 G\xe9n\xe9rale,SG,Fin,FR,EUR,equity,1,1,1\n"), "line 2: is not UTF-8 text"},
		{"Windows-1252 quotes", ImportPortfolios, []byte(pfHeader + "EU,\x93Euro\x94 Fund,EUR,1\n"), "line 2: is not UTF-8 text"},
		{"UTF-16LE with BOM", ImportHoldings, utf16LE("portfolio,symbol,quantity,avg_cost\r\nGLB,AAA,1,1\r\n"), "line 1: file is UTF-16 text"},
		{"UTF-16BE with BOM", ImportHoldings, utf16BE("portfolio,symbol,quantity,avg_cost\nGLB,AAA,1,1\n"), "line 1: file is UTF-16 text"},
		{"UTF-16LE without BOM", ImportHoldings, utf16LE("portfolio,symbol,quantity,avg_cost\n")[2:], "line 1: is not UTF-8 text"},
		{"NUL in a field", ImportSecurities, []byte(secHeader + "BBB,B\x00B,B,Tech,US,USD,equity,1,1,1\n"), "line 2: is not UTF-8 text"},
		{"quote left open", ImportPortfolios, []byte(pfHeader + "P2,\"Open,USD,1\n"), "line 2: not valid CSV"},
		{"bare quote", ImportPortfolios, []byte(pfHeader + "P2,Say \"hi\",USD,1\n"), "line 2: not valid CSV"},
		{"too few fields", ImportHoldings, []byte("portfolio,symbol,quantity,avg_cost\nGLB,AAA,1\n"), "line 2: has 3 fields, the header has 4"},
		{"exponent", ImportHoldings, []byte("portfolio,symbol,quantity,avg_cost\nGLB,AAA,1e3,1\n"), `line 2: bad quantity: "1e3" is not a plain decimal number`},
		{"1e400", ImportPrices, []byte("symbol,price\nAAA,1e400\n"), `line 2: bad price: "1e400" is not a plain decimal number`},
		{"NaN", ImportPrices, []byte("symbol,price\nAAA,NaN\n"), `line 2: bad price: "NaN" is not a plain decimal number`},
		{"Infinity", ImportPortfolios, []byte(pfHeader + "P2,Two,USD,Infinity\n"), `line 2: bad cash: "Infinity" is not a plain decimal number`},
		{"thousands separator", ImportPortfolios, []byte(pfHeader + "P2,Two,USD,\"1,000\"\n"), `line 2: bad cash: "1,000" is not a plain decimal number`},
		{"negative price", ImportPrices, []byte("symbol,price\nAAA,-1\n"), "line 2: negative price -1"},
		{"zero price", ImportPrices, []byte("symbol,price\nAAA,0\n"), "line 2: price must be more than zero"},
		{"negative zero lot", ImportSecurities, []byte(secHeader + "BBB,B,B,Tech,US,USD,equity,-0,1,1\n"), "line 2: lot size must be more than zero"},
		{"negative average cost", ImportHoldings, []byte("portfolio,symbol,quantity,avg_cost\nGLB,AAA,1,-0.01\n"), "line 2: negative avg cost -0.01"},
		{"full-width digits", ImportHoldings, []byte("portfolio,symbol,quantity,avg_cost\nGLB,AAA,１０,1\n"), "line 2: bad quantity"},
		{"zero-width space in a symbol", ImportHoldings, []byte("portfolio,symbol,quantity,avg_cost\nGLB,AAA\u200b,1,1\n"), `line 2: symbol "AAA\u200b" holds an invisible or control character (U+200B)`},
		{"a look-alike security", ImportSecurities, []byte("symbol,name,issuer,sector,country,currency,asset_class,lot_size,adv,shares_outstanding\nAAA\u200f,Alpha,Alpha,Tech,US,USD,equity,1,0,0\n"), `line 2: symbol "AAA\u200f" holds an invisible or control character (U+200F)`},
		{"a direction mark in a portfolio code", ImportPortfolios, []byte(pfHeader + "\u202eP2,Two,USD,0\n"), `line 2: portfolio "\u202eP2" holds an invisible or control character (U+202E)`},
		{"script as a symbol", ImportPrices, []byte("symbol,price\n<script>alert(1)</script>,1\n"), `line 2: unknown symbol "<script>alert(1)</script>"`},
		{"30 decimal places", ImportPortfolios, []byte(pfHeader + "P2,Two,USD,0.000000000000000000000000000001\n"), `line 2: bad cash: "0.000000000000000000000000000001" has 30 decimal places, at most 18: too many digits for a number`},
		{"400 digits", ImportHoldings, []byte("portfolio,symbol,quantity,avg_cost\nGLB,AAA," + strings.Repeat("9", 400) + ",1\n"), `line 2: bad quantity: "9999999999999999999999999999999999999999…" has 400 digits before the point, at most 20: too many digits for a number`},
		{"model weights miss 100 by a hair", ImportModels, []byte("model,symbol,weight\nM,AAA,99.999999999999999999\n"), "line 2: model M: weights sum to 99.999999999999999999"},
		{"restriction flag formula", ImportRestrictions, []byte("portfolio,symbol,do_not_buy\nGLB,AAA,=1\n"), `line 2: do_not_buy "=1" is not yes or no`},
	} {
		t.Run(c.name, func(t *testing.T) {
			wantRefusedFile(t, d, c.kind, bytesReader(c.body), c.want)
		})
	}
}

// TestBadInputTenMegabyteFieldBoundedMemory streams a 10 MB field that is
// never in memory as a whole: the import refuses it having allocated far
// less than the field, and stops reading at the limit.
func TestBadInputTenMegabyteFieldBoundedMemory(t *testing.T) {
	d := seedBadInput(t)
	field := &countingReader{r: io.LimitReader(repeatByte('x'), 10<<20)}
	file := io.MultiReader(strings.NewReader(secHeader+"BBB,"), field, strings.NewReader(",B,Tech,US,USD,equity,1,1,1\n"))
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := d.ImportCSV(context.Background(), ImportSecurities, file)
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "line 2: is longer than 64 KB, the most a line may hold") {
		t.Fatalf("err = %v", err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 4<<20 {
		t.Errorf("refusing a 10 MB field allocated %d bytes, want under 4 MB", alloc)
	}
	if field.n > 1<<20 {
		t.Errorf("read %d bytes of the field, want the reading to stop near 64 KB", field.n)
	}
	if got := tableCounts(t, d); got != "1 1 0 0 0 0 0 0" {
		t.Errorf("counts %s", got)
	}
}

type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// repeatByte is an endless reader of one byte.
type repeatByte byte

func (b repeatByte) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(b)
	}
	return len(p), nil
}

func TestBadInputCSVAccepted(t *testing.T) {
	d := seedBadInput(t)
	ctx := context.Background()
	// BOM, CRLF, quoted commas, doubled quotes and a quoted line break.
	res := importOK(t, d, ImportSecurities, "\uFEFFsymbol,name,issuer,sector,country,currency,asset_class,lot_size,adv,shares_outstanding\r\n"+
		"BBB,\"Beta, \"\"The\"\" Bank\",\"Beta\r\nHoldings\",Fin,gb,gbp,Equity,100,0,0\r\n,,,,,,,,,\r\n")
	if res != (portfolio.ImportResult{Added: 1}) {
		t.Errorf("BOM and CRLF file = %+v, want 1 added", res)
	}
	if s := storedSecurity(t, d, "BBB"); s.Name != `Beta, "The" Bank` || s.Issuer != "Beta\nHoldings" || s.Country != "GB" || s.Currency != "GBP" {
		t.Errorf("stored %+v", s)
	}
	// A line just under the limit is taken whole.
	long := strings.Repeat("é", 30000) // 60,000 bytes
	importOK(t, d, ImportSecurities, secHeader+"LONG,"+long+",L,Tech,US,USD,equity,1,1,1\n")
	if s := storedSecurity(t, d, "LONG"); s.Name != long {
		t.Errorf("a 60 KB name was stored as %d bytes", len(s.Name))
	}
	// Unicode text is stored as written: RTL override, zero-width joiner, emoji.
	names := "\u202eevil.exe\u202c,Zero\u200bWidth,Rocket 🚀 Fund"
	importOK(t, d, ImportPortfolios, pfHeader+"U1,\u202eevil.exe\u202c,USD,1\nU2,Zero\u200bWidth,USD,1\nU3,Rocket 🚀 Fund,USD,1\n")
	var got string
	if err := d.Reader().QueryRow(`SELECT group_concat(name, ',') FROM (SELECT name FROM portfolios WHERE code LIKE 'U%' ORDER BY code)`).Scan(&got); err != nil || got != names {
		t.Errorf("unicode names %q, %v", got, err)
	}
	// 18 decimal places and 20 digits, the most a number may have, are stored exactly, as text.
	tiny, huge := "0.000000000000000001", "-"+strings.Repeat("9", 20)
	importOK(t, d, ImportPortfolios, pfHeader+"EXACT,Exact,USD,"+tiny+"\nHUGE,Huge,USD,"+huge+"\n")
	for code, want := range map[string]string{"EXACT": tiny, "HUGE": huge} {
		var cash string
		if err := d.Reader().QueryRow(`SELECT cash FROM portfolios WHERE code = ?`, code).Scan(&cash); err != nil || cash != want {
			t.Errorf("%s cash stored as %q, want %q (%v)", code, cash, want, err)
		}
	}
	// Formula-leading text is data: stored as written (trimmed), defused on export.
	importOK(t, d, ImportSecurities, secHeader+"FORM,=cmd|' /C calc'!A0,+1,-1,US,USD,equity,1,1,1\nFORM2,@SUM(A1),\t=1+1,\r=2,US,USD,equity,1,1,1\n")
	if s := storedSecurity(t, d, "FORM"); s.Name != "=cmd|' /C calc'!A0" || s.Issuer != "+1" || s.Sector != "-1" {
		t.Errorf("formula text stored as %+v", s)
	}
	if s := storedSecurity(t, d, "FORM2"); s.Name != "@SUM(A1)" || s.Issuer != "=1+1" || s.Sector != "=2" {
		t.Errorf("formula text stored as %+v", s)
	}
	h, err := d.Holdings(ctx, "EXACT")
	if err != nil || !h.Portfolio.Cash.Equal(decimal.RequireFromString(tiny)) {
		t.Errorf("EXACT cash read back as %s, %v", h.Portfolio.Cash, err)
	}
}

// TestBadInputAuditCSVDefusesFormulas: every text column of the audit export,
// portfolio included, and every formula-leading character (= + - @ tab CR).
func TestBadInputAuditCSVDefusesFormulas(t *testing.T) {
	d := openTest(t)
	s := NewOrderStore(d)
	ctx := context.Background()
	cells := []string{"=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"}
	err := s.InTx(ctx, func(tx order.Tx) error {
		for _, c := range cells {
			e := order.Event{At: orderNow, Actor: c, Action: c, Portfolio: c, Reason: c, Details: c}
			if err := tx.AppendEvent(ctx, e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := s.WriteAuditCSV(ctx, &buf, order.AuditFilter{}); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil || len(recs) != len(cells)+1 {
		t.Fatalf("%d records, %v", len(recs), err)
	}
	for i, c := range cells {
		for _, col := range []int{2, 3, 6, 9, 10} { // actor, action, portfolio, reason, details
			if got := recs[i+1][col]; got != "'"+c {
				t.Errorf("%s of %q exported as %q, want a leading apostrophe", recs[0][col], c, got)
			}
		}
	}
}

// TestBadInputManyRows is the limit path of the million-row file: 1,000,001
// lines after the header are refused at line 1,000,002 with nothing written.
// (The lines are empty fields, which count, so the refusal is cheap under the
// race detector; BenchmarkImportMillionRows imports a full million prices.)
func TestBadInputManyRows(t *testing.T) {
	d := seedBadInput(t)
	path := filepath.Join(t.TempDir(), "many.csv")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	w.WriteString("symbol,price,as_of\nAAA,1,2026-01-02\n")
	for i := 1; i < portfolio.MaxImportRows; i++ {
		w.WriteString(",,\n")
	}
	w.WriteString("AAA,2,2026-01-03\n")
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	in, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	wantRefusedFile(t, d, ImportPrices, in, "line 1000002: the file has more than 1000000 lines after the header")
}
