package portfolio

import (
	"strings"
	"testing"
)

func TestParseModelsCSV(t *testing.T) {
	tests := []struct {
		name, file string
		models     int
		errs       []string
	}{
		{"good", "model,symbol,weight,band\nA,X,60,\nA,cash,40,±2\nB,Y,100,10%\n", 2, nil},
		{"columns in any order, no band", "weight,symbol,model\n100,X,A\n", 1, nil},
		{"short", "model,symbol,weight\nA,X,60\nA,CASH,39.5\n", 1, []string{"line 3: model A: weights sum to 99.5, 0.5 short of 100"}},
		{"over", "model,symbol,weight\nA,X,60\nA,Y,41\n", 1, []string{"line 3: model A: weights sum to 101, 1 over 100"}},
		{"bad line hides the sum", "model,symbol,weight\nA,X,-5\nA,Y,50\n", 1, []string{"line 2: negative weight -5"}},
		{"duplicate", "model,symbol,weight\nA,X,50\nA,X,50\n", 1, []string{"line 3: duplicate target A X (first on line 2)"}},
		{"bad band", "model,symbol,weight,band\nA,X,100,wide\n", 0, []string{`line 2: bad band: band "wide"`}},
		{"missing column", "model,symbol\nA,X\n", 0, []string{`line 1: missing column "weight"`}},
		{"dot names", "model,symbol,weight\n.,X,100\n..,X,100\n...,X,100\n.A,X,100\n", 2,
			[]string{`line 2: model "." cannot be a model name`, `line 3: model ".." cannot be a model name`}},
	}
	for _, tc := range tests {
		f, err := ParseModelsCSV(strings.NewReader(tc.file))
		got := f.Errors
		if ie, ok := err.(ImportErrors); ok {
			got = append(got, ie...)
		} else if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if len(got) != len(tc.errs) {
			t.Errorf("%s: errors %v, want %v", tc.name, got, tc.errs)
			continue
		}
		for i, want := range tc.errs {
			if !strings.HasPrefix(got[i].Error(), want) {
				t.Errorf("%s: error %q, want %q", tc.name, got[i].Error(), want)
			}
		}
		if n := len(ModelsFromLines(f.Rows)); n != tc.models {
			t.Errorf("%s: %d models, want %d", tc.name, n, tc.models)
		}
	}
}

func TestParseRestrictionsCSV(t *testing.T) {
	f, err := ParseRestrictionsCSV(strings.NewReader("portfolio,symbol,do_not_buy,do_not_sell,excluded\nP,A,Y,no,\nP,B,0,1,TRUE\nP,A,,,\nP,C,sometimes,,\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Rows) != 2 || !f.Rows[0].Value.DoNotBuy || f.Rows[0].Value.DoNotSell || !f.Rows[1].Value.Excluded {
		t.Errorf("rows %+v", f.Rows)
	}
	if len(f.Errors) != 2 || f.Errors[0].Line != 4 || f.Errors[1].Line != 5 {
		t.Errorf("errors %v; want the duplicate on line 4 and the bad flag on line 5", f.Errors)
	}
}
