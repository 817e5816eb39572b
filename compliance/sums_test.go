package compliance

import (
	"testing"

	"github.com/shopspring/decimal"
)

func TestAccIsExactDecimalAddition(t *testing.T) {
	cases := [][]string{
		{},
		{"1.25"},
		{"1.25", "2.50", "-0.75"},
		{"1.5", "2.25", "3"}, // mixed exponents
		{"9000000000000000000", "9000000000000000000"},      // beyond int64
		{"90000000000000000", "90000000000000000", "1"},     // 17 digits, then overflow-safe
		{"0.00000000000000001", "123456789012345678901234"}, // tiny and huge
	}
	for _, c := range cases {
		var a acc
		want := decimal.Zero
		for _, s := range c {
			a.add(d(s))
			want = want.Add(d(s))
		}
		if got := a.value(); !got.Equal(want) {
			t.Errorf("%v: got %s, want %s", c, got, want)
		}
	}
}

func TestMulIsExact(t *testing.T) {
	for _, c := range [][2]string{{"123", "45.67"}, {"-3", "0.01"}, {"999999999", "9999999999.99"}, {"0", "5"}} {
		if got, want := mul(d(c[0]), d(c[1])), d(c[0]).Mul(d(c[1])); !got.Equal(want) || got.Exponent() != want.Exponent() {
			t.Errorf("%v: got %s, want %s", c, got, want)
		}
	}
}
