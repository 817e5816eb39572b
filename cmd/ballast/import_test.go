package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func cliWriteFile(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func cliSecuritiesCSV(rows, badLine int) string {
	var b strings.Builder
	b.WriteString("symbol,name,issuer,sector,country,currency,asset_class,lot_size,adv,shares_outstanding\n")
	for line := 2; line < rows+2; line++ {
		lot := "1"
		if line == badLine {
			lot = "1e2"
		}
		fmt.Fprintf(&b, "T%04d,Test %d,Issuer %d,Tech,US,USD,equity,%s,100,1000\n", line, line, line, lot)
	}
	return b.String()
}

// TestImportBadFileNamesLine is the acceptance case: a 1,000-row
// securities file with one bad row fails, names that line and writes nothing.
func TestImportBadFileNamesLine(t *testing.T) {
	dir := t.TempDir()
	bad := cliWriteFile(t, dir, "bad.csv", cliSecuritiesCSV(1000, 501))
	r := cliRun(t, dir, "", "import", "securities", bad)
	if r.err == nil || !strings.Contains(r.err.Error(), "1 bad line(s), nothing imported") {
		t.Fatalf("err = %v", r.err)
	}
	if !strings.HasPrefix(r.stderr, "line 501: bad lot_size") || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("stderr = %q, want only line 501", r.stderr)
	}
	secs, err := openCLIDB(t, dir).Securities(context.Background(), "")
	if err != nil || len(secs) != 0 {
		t.Errorf("after a rejected import: %d securities, %v", len(secs), err)
	}
}

func TestImportGoodFilesAndReimport(t *testing.T) {
	dir := t.TempDir()
	dbFile := filepath.Join(dir, "other.db")
	sec := cliWriteFile(t, dir, "sec.csv", cliSecuritiesCSV(3, 0))
	// --db after the positional arguments, and before them.
	if r := cliRun(t, dir, "", "import", "securities", sec, "--db", dbFile); r.err != nil || r.stdout != "3 added, 0 updated\n" {
		t.Fatalf("securities: %q %v %s", r.stdout, r.err, r.stderr)
	}
	if r := cliRun(t, dir, "", "import", "--db", dbFile, "securities", sec); r.err != nil || r.stdout != "0 added, 3 updated\n" {
		t.Errorf("re-import: %q %v", r.stdout, r.err)
	}
	pf := "portfolio,name,base_currency,cash\nP1,One,USD,100\n"
	if r := cliRun(t, dir, pf, "import", "portfolios", "-", "--db", dbFile); r.err != nil || r.stdout != "1 added, 0 updated\n" {
		t.Errorf("portfolios from stdin: %q %v", r.stdout, r.err)
	}
	hold := cliWriteFile(t, dir, "h.csv", "portfolio,symbol,quantity,avg_cost\nP1,T0002,10,1\nP2,T0003,5,1\n")
	r := cliRun(t, dir, "", "import", "holdings", hold, "--db", dbFile)
	if r.err == nil || r.stderr != "line 3: unknown portfolio \"P2\"\n" {
		t.Errorf("holdings with unknown portfolio: stderr %q, err %v", r.stderr, r.err)
	}
}

func TestImportUsage(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"import"}, "want KIND FILE"},
		{[]string{"import", "trades", "x.csv"}, `unknown kind "trades"`},
		{[]string{"import", "prices", filepath.Join(dir, "missing.csv")}, "no such file"},
	}
	for _, tc := range tests {
		if r := cliRun(t, dir, "", tc.args...); r.err == nil || !strings.Contains(r.err.Error(), tc.want) {
			t.Errorf("%v: err = %v, want %q", tc.args, r.err, tc.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "cli.db")); err == nil {
		t.Error("a failed usage check created the database")
	}
}
