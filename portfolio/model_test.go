package portfolio

import (
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func TestModelValidate(t *testing.T) {
	ok := []Target{{Symbol: "AAA", Weight: dec("60")}, {Symbol: "BBB", Weight: dec("35")}, {Symbol: CashSymbol, Weight: dec("5")}}
	tests := []struct {
		name    string
		model   Model
		wantErr []string // substrings; empty means valid
	}{
		{"valid", Model{Name: "m", Targets: ok, Band: AbsoluteBand(dec("1"))}, nil},
		{"valid without band", Model{Name: "m", Targets: ok}, nil},
		{"short", Model{Name: "m", Targets: []Target{{Symbol: "AAA", Weight: dec("94.5")}, {Symbol: CashSymbol, Weight: dec("5")}}},
			[]string{"weights sum to 99.5, 0.5 short of 100"}},
		{"over", Model{Name: "m", Targets: []Target{{Symbol: "AAA", Weight: dec("95.25")}, {Symbol: CashSymbol, Weight: dec("5")}}},
			[]string{"weights sum to 100.25, 0.25 over 100"}},
		{"negative", Model{Name: "m", Targets: []Target{{Symbol: "AAA", Weight: dec("101")}, {Symbol: "BBB", Weight: dec("-1")}}},
			[]string{"BBB: weight -1 is negative"}},
		{"duplicate", Model{Name: "m", Targets: []Target{{Symbol: "AAA", Weight: dec("50")}, {Symbol: "AAA", Weight: dec("50")}}},
			[]string{"AAA: listed more than once"}},
		{"empty name and symbol", Model{Targets: []Target{{Symbol: " ", Weight: dec("100")}}},
			[]string{"model name is empty", "empty symbol"}},
		{"cash casing", Model{Name: "m", Targets: []Target{{Symbol: "cash", Weight: dec("100")}}},
			[]string{"write the cash target as CASH"}},
		{"bad override", Model{Name: "m", Targets: []Target{{Symbol: "AAA", Weight: dec("100"), Band: AbsoluteBand(dec("-1"))}}},
			[]string{"AAA: band width -1 is negative"}},
		{"bad model band", Model{Name: "m", Targets: ok, Band: Band{Kind: "wide", Width: dec("1")}},
			[]string{`model band: band kind "wide"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.model.Validate()
			if len(tt.wantErr) == 0 {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate() = nil, want %q", tt.wantErr)
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Validate() = %q, want it to contain %q", err, w)
				}
			}
		})
	}
}

func TestBandBounds(t *testing.T) {
	tests := []struct {
		band           Band
		target, lo, hi string
		str            string
	}{
		{AbsoluteBand(dec("1")), "5", "4", "6", "±1"},
		{AbsoluteBand(dec("1")), "0.5", "0", "1.5", "±1"},
		{RelativeBand(dec("10")), "5", "4.5", "5.5", "±10%"},
		{RelativeBand(dec("20")), "0", "0", "0", "±20%"},
	}
	for _, tt := range tests {
		lo, hi := tt.band.Lower(dec(tt.target)), tt.band.Upper(dec(tt.target))
		if !lo.Equal(dec(tt.lo)) || !hi.Equal(dec(tt.hi)) {
			t.Errorf("%s around %s = [%s, %s], want [%s, %s]", tt.band, tt.target, lo, hi, tt.lo, tt.hi)
		}
		if tt.band.String() != tt.str {
			t.Errorf("String() = %q, want %q", tt.band.String(), tt.str)
		}
	}
}

func TestParseBand(t *testing.T) {
	tests := []struct {
		in      string
		want    Band
		wantErr bool
	}{
		{"1", AbsoluteBand(dec("1")), false},
		{"±0.5", AbsoluteBand(dec("0.5")), false},
		{"10%", RelativeBand(dec("10")), false},
		{" ±25% ", RelativeBand(dec("25")), false},
		{"-1", Band{}, true},
		{"wide", Band{}, true},
		{"", Band{}, true},
	}
	for _, tt := range tests {
		got, err := ParseBand(tt.in)
		if (err != nil) != tt.wantErr {
			t.Fatalf("ParseBand(%q) error = %v, wantErr %v", tt.in, err, tt.wantErr)
		}
		if !tt.wantErr && (got.Kind != tt.want.Kind || !got.Width.Equal(tt.want.Width)) {
			t.Errorf("ParseBand(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestModelBandFor(t *testing.T) {
	m := Model{Name: "m", Band: RelativeBand(dec("10")), Targets: []Target{
		{Symbol: "AAA", Weight: dec("50"), Band: AbsoluteBand(dec("2"))},
		{Symbol: "BBB", Weight: dec("50")},
	}}
	if b := m.BandFor("AAA"); b.Kind != BandAbsolute || !b.Width.Equal(dec("2")) {
		t.Errorf("BandFor(AAA) = %v, want the override ±2", b)
	}
	if b := m.BandFor("BBB"); b.Kind != BandRelative {
		t.Errorf("BandFor(BBB) = %v, want the model's ±10%%", b)
	}
	if b := (Model{}).BandFor("X"); b.Kind != BandAbsolute || !b.Width.Equal(dec("1")) {
		t.Errorf("BandFor without any band = %v, want DefaultBand ±1", b)
	}
}
