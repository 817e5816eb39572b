package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"
)

// The bad-input catalogue of the command line: "ballast import" with each
// hostile file (refused with its line on stderr and nothing written, or
// taken exactly), the rebalance CSV export of formula-leading names, and
// the rebalance flags' numbers. The parsing itself is tested in db and
// portfolio; here the outcome a user sees.

const cliSecHeader = "symbol,name,issuer,sector,country,currency,asset_class,lot_size,adv,shares_outstanding"

// cliCount is how many rows table holds in the database cliRun uses in dir.
func cliCount(t *testing.T, dir, table string) int {
	t.Helper()
	var n int
	if err := openCLIDB(t, dir).Reader().QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// utf16File is s in UTF-16LE with its byte-order mark, as Excel's "Unicode text" writes.
func utf16File(s string) string {
	b := []byte{0xff, 0xfe}
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u), byte(u>>8))
	}
	return string(b)
}

// bigFieldFile writes a securities file whose second line has a 10 MB name.
func bigFieldFile(t *testing.T, dir string) string {
	t.Helper()
	p := filepath.Join(dir, "big.csv")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	w.WriteString(cliSecHeader + "\nOK1,Fine,I,Tech,US,USD,equity,1,1,1\nBIG,")
	chunk := strings.Repeat("x", 1<<20)
	for range 10 {
		w.WriteString(chunk)
	}
	w.WriteString(",I,Tech,US,USD,equity,1,1,1\nOK2,Fine,I,Tech,US,USD,equity,1,1,1\n")
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return p
}

func TestBadInputImportRefused(t *testing.T) {
	dir := t.TempDir()
	if r := cliRun(t, dir, "", "import", "securities", cliWriteFile(t, dir, "seed.csv", cliSecHeader+"\nAAA,Alpha,A,Tech,US,USD,equity,1,1,1\n")); r.err != nil {
		t.Fatal(r.err)
	}
	for _, c := range []struct{ name, file, stderr string }{
		{"10 MB field", bigFieldFile(t, dir), "line 3: is longer than 64 KB, the most a line may hold; nothing after it was read\n"},
		{"UTF-16 with BOM", cliWriteFile(t, dir, "u16.csv", utf16File(cliSecHeader+"\r\nBBB,Beta,B,Tech,US,USD,equity,1,1,1\r\n")),
			"line 1: file is UTF-16 text: save it as UTF-8 (\"CSV UTF-8\" in a spreadsheet)\n"},
		{"Latin-1", cliWriteFile(t, dir, "latin1.csv", cliSecHeader+"\nSOGN,Soci\xe9t\xe9 G\xe9n\xe9rale,SG,Fin,FR,EUR,equity,1,1,1\n"),
			"line 2: is not UTF-8 text: save the file as UTF-8 (\"CSV UTF-8\" in a spreadsheet)\n"},
		{"exponent", cliWriteFile(t, dir, "exp.csv", cliSecHeader+"\nBBB,Beta,B,Tech,US,USD,equity,1e3,1,1\n"),
			"line 2: bad lot_size: \"1e3\" is not a plain decimal number\n"},
		{"30 decimal places", cliWriteFile(t, dir, "places.csv", cliSecHeader+"\nBBB,Beta,B,Tech,US,USD,equity,0.000000000000000000000000000001,1,1\n"),
			"line 2: bad lot_size: \"0.000000000000000000000000000001\" has 30 decimal places, at most 18: too many digits for a number\n"},
		{"400 digits", cliWriteFile(t, dir, "digits.csv", cliSecHeader+"\nBBB,Beta,B,Tech,US,USD,equity,1,"+strings.Repeat("9", 400)+",1\n"),
			"line 2: bad adv: \"9999999999999999999999999999999999999999…\" has 400 digits before the point, at most 20: too many digits for a number\n"},
		{"NaN and negative", cliWriteFile(t, dir, "nan.csv", cliSecHeader+"\nBBB,Beta,B,Tech,US,USD,equity,-1,NaN,1\n"),
			"line 2: negative lot size -1; bad adv: \"NaN\" is not a plain decimal number\n"},
		{"quote left open", cliWriteFile(t, dir, "quote.csv", cliSecHeader+"\nBBB,\"Beta,B,Tech,US,USD,equity,1,1,1\n"),
			"line 2: not valid CSV: extraneous or missing \" in quoted-field\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := cliRun(t, dir, "", "import", "securities", c.file)
			if r.err == nil || !strings.Contains(r.err.Error(), "1 bad line(s), nothing imported") {
				t.Errorf("err = %v", r.err)
			}
			if r.stderr != c.stderr {
				t.Errorf("stderr = %q, want %q", r.stderr, c.stderr)
			}
			if n := cliCount(t, dir, "securities"); n != 1 {
				t.Errorf("%d securities after a refused file, want 1", n)
			}
		})
	}
}

func TestBadInputImportAccepted(t *testing.T) {
	dir := t.TempDir()
	// BOM, CRLF, quoted commas, doubled quotes and a quoted line break, from stdin.
	body := "\uFEFF" + cliSecHeader + "\r\n\"B,B\",\"Beta, \"\"The\"\" Bank\",\"Beta\r\nGroup\",Fin,GB,GBP,equity,100,0,0\r\n" +
		"=cmd|' /C calc'!A0,@SUM(A1),+1,-1,US,USD,equity,1,1,1\r\nEMOJI,Rocket 🚀 \u202eRTL,Zero\u200bWidth,Tech,US,USD,equity,0.000000000000000001,1,1\r\n"
	r := cliRun(t, dir, body, "import", "securities", "-")
	if r.err != nil || r.stdout != "3 added, 0 updated\n" {
		t.Fatalf("stdin import: %q %v %s", r.stdout, r.err, r.stderr)
	}
	d := openCLIDB(t, dir)
	ctx := context.Background()
	for sym, name := range map[string]string{"B,B": `Beta, "The" Bank`, "=cmd|' /C calc'!A0": "@SUM(A1)", "EMOJI": "Rocket 🚀 \u202eRTL"} {
		s, err := d.Security(ctx, sym)
		if err != nil || s.Name != name {
			t.Errorf("security %q: name %q, %v; want %q", sym, s.Name, err, name)
		}
	}
	if s, _ := d.Security(ctx, "B,B"); s.Issuer != "Beta\nGroup" {
		t.Errorf("quoted line break stored as %q", s.Issuer)
	}
	if s, _ := d.Security(ctx, "EMOJI"); s.LotSize.String() != "0.000000000000000001" {
		t.Errorf("18 decimal places stored as %s", s.LotSize)
	}
}

// TestBadInputRebalanceCSVDefusesFormulas plans a portfolio whose code and
// security symbol start like formulas: the CSV of trades defuses them.
func TestBadInputRebalanceCSVDefusesFormulas(t *testing.T) {
	dir := t.TempDir()
	const sym, code = "=cmd|' /C calc'!A0", "@FORM"
	for _, f := range []struct{ kind, body string }{
		{"securities", cliSecHeader + "\n\"" + sym + "\",Formula,F,Tech,US,USD,equity,1,1000000,1000000\n"},
		{"prices", "symbol,price\n\"" + sym + "\",10\n"},
		{"models", "model,symbol,weight\n+Model,\"" + sym + "\",90\n+Model,CASH,10\n"},
		{"portfolios", "portfolio,name,base_currency,cash,model\n" + code + ",Formula Fund,USD,100000,+Model\n"},
	} {
		if r := cliRun(t, dir, "", "import", f.kind, cliWriteFile(t, dir, f.kind+".csv", f.body)); r.err != nil {
			t.Fatalf("import %s: %v %s", f.kind, r.err, r.stderr)
		}
	}
	r := cliRun(t, dir, "", "rebalance", "--portfolio", code, "--format", "csv")
	if r.err != nil {
		t.Fatalf("rebalance: %v %s", r.err, r.stderr)
	}
	recs, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
	if err != nil || len(recs) != 2 {
		t.Fatalf("csv %q, %v; want a header and one buy", r.stdout, err)
	}
	if got := recs[1]; got[0] != "'"+code || got[1] != "'"+sym || got[2] != "buy" {
		t.Errorf("trade %q: want portfolio and symbol with a leading apostrophe", got)
	}
}

func TestBadInputRebalanceFlags(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct{ flag, value, want string }{
		{"--cash-reserve", "1e3", `cash reserve: "1e3" is not a plain decimal number`},
		{"--cash-reserve", "1e400%", `cash reserve: "1e400" is not a plain decimal number`},
		{"--min-trade", "NaN", `--min-trade: "NaN" is not a plain decimal number`},
		{"--raise", strings.Repeat("9", 400), "--raise: \"9999999999999999999999999999999999999999…\" has 400 digits before the point, at most 20"},
		{"--raise", "-5", "--raise -5 is negative"},
		{"--min-trade", "0.000000000000000000000000000001", "--min-trade: \"0.000000000000000000000000000001\" has 30 decimal places, at most 18"},
	} {
		r := cliRun(t, dir, "", "rebalance", "--all", c.flag, c.value)
		if r.err == nil || !strings.Contains(r.err.Error(), c.want) {
			t.Errorf("%s %.12s: err %v, want %q", c.flag, c.value, r.err, c.want)
		}
	}
}
