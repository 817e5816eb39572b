package views

import (
	"testing"

	"github.com/shopspring/decimal"
)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func TestFormats(t *testing.T) {
	tests := []struct {
		name string
		f    func(decimal.Decimal) string
		in   string
		want string
	}{
		{"money rounds half up", Money, "1234567.885", "1,234,567.89"},
		{"money small", Money, "5", "5.00"},
		{"money negative", Money, "-1234.5", "-1,234.50"},
		{"money three digits", Money, "999.999", "1,000.00"},
		{"money zero", Money, "0", "0.00"},
		{"weight", Weight, "12.345", "12.35"},
		{"weight small", Weight, "0.004", "0.00"},
		{"quantity trailing zeros", Quantity, "1500.000", "1,500"},
		{"quantity fraction", Quantity, "0.250", "0.25"},
		{"quantity big", Quantity, "-12345678", "-12,345,678"},
		{"price two dp", Price, "101.5", "101.50"},
		{"price many dp", Price, "0.123456789", "0.123457"},
		{"price four dp", Price, "1234.1234", "1,234.1234"},
		{"price integer", Price, "7", "7.00"},
	}
	for _, tt := range tests {
		if got := tt.f(d(tt.in)); got != tt.want {
			t.Errorf("%s: %s → %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
}

func TestRoundWeightsSumTo100(t *testing.T) {
	tests := []struct {
		in   []string
		want []string
	}{
		// thirds: each rounds to 33.33, which would sum to 99.99
		{[]string{"33.333333333333333333", "33.333333333333333333", "33.333333333333333334"}, []string{"33.33", "33.33", "33.34"}},
		{[]string{"50", "50"}, []string{"50.00", "50.00"}},
		{[]string{"16.666666666666666667", "16.666666666666666667", "66.666666666666666666"}, []string{"16.67", "16.67", "66.66"}},
		// not a full portfolio: plain rounding
		{[]string{"10.555", "20.444"}, []string{"10.56", "20.44"}},
		{[]string{"110", "-10"}, []string{"110.00", "-10.00"}},
	}
	for _, tt := range tests {
		in := make([]decimal.Decimal, len(tt.in))
		for i, s := range tt.in {
			in[i] = d(s)
		}
		got := RoundWeights(in)
		for i := range got {
			if got[i].StringFixed(2) != tt.want[i] {
				t.Errorf("RoundWeights(%v)[%d] = %s, want %s", tt.in, i, got[i].StringFixed(2), tt.want[i])
			}
		}
	}
}
