package order

import (
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/shopspring/decimal"
)

func legs3() []Leg {
	return []Leg{
		{OrderID: 11, Portfolio: "A", Ordered: d("1000")},
		{OrderID: 12, Portfolio: "B", Ordered: d("1000")},
		{OrderID: 13, Portfolio: "C", Ordered: d("1000")},
	}
}

func quantities(a []Allocation) []string {
	out := make([]string, len(a))
	for i, x := range a {
		out[i] = x.Quantity.String()
	}
	return out
}

func TestAllocateTable(t *testing.T) {
	cases := []struct {
		name   string
		legs   []Leg
		filled string
		lot    string
		want   []string
	}{
		{"three equal, partial 250", legs3(), "250", "100", []string{"100", "100", "50"}},
		{"three equal, 300", legs3(), "300", "100", []string{"100", "100", "100"}},
		{"three equal, full", legs3(), "3000", "100", []string{"1000", "1000", "1000"}},
		{"three equal, nothing", legs3(), "0", "100", []string{"0", "0", "0"}},
		{"unequal 250", []Leg{{1, "A", d("300")}, {2, "B", d("500")}, {3, "C", d("200")}}, "250", "100", []string{"100", "100", "50"}},
		{"unequal 600", []Leg{{1, "A", d("300")}, {2, "B", d("500")}, {3, "C", d("200")}}, "600", "100", []string{"200", "300", "100"}},
		{"odd ordered, full", []Leg{{1, "A", d("150")}, {2, "B", d("275")}}, "425", "100", []string{"150", "275"}},
		{"whole lot to the larger remainder", []Leg{{1, "A", d("50")}, {2, "B", d("950")}}, "100", "100", []string{"0", "100"}},
		{"a lot that would overfill is skipped", []Leg{{1, "A", d("90")}, {2, "B", d("910")}}, "900", "100", []string{"0", "900"}},
		{"odd lot after skipped lot", []Leg{{1, "A", d("90")}, {2, "B", d("910")}}, "950", "100", []string{"50", "900"}},
		{"lot 1", []Leg{{1, "A", d("1")}, {2, "B", d("1")}, {3, "C", d("1")}}, "2", "1", []string{"1", "1", "0"}},
		{"ties by order id not position", []Leg{{9, "Z", d("100")}, {3, "C", d("100")}}, "100", "100", []string{"0", "100"}},
		{"fractional units", []Leg{{1, "A", d("10.5")}, {2, "B", d("10.5")}}, "7.25", "0.5", []string{"3.75", "3.5"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Allocate(c.legs, d(c.filled), d(c.lot), d("10.25"))
			if err != nil {
				t.Fatal(err)
			}
			q := quantities(got)
			for i := range q {
				if q[i] != c.want[i] {
					t.Fatalf("allocation = %v, want %v", q, c.want)
				}
				if got[i].OrderID != c.legs[i].OrderID || !got[i].Price.Equal(d("10.25")) {
					t.Fatalf("allocation %d = %+v: wrong order or price", i, got[i])
				}
			}
		})
	}
}

func TestAllocateRefuses(t *testing.T) {
	cases := map[string]struct {
		legs        []Leg
		filled, lot string
	}{
		"no legs":        {nil, "100", "100"},
		"zero lot":       {legs3(), "100", "0"},
		"negative fill":  {legs3(), "-1", "100"},
		"overfill":       {legs3(), "3001", "100"},
		"zero ordered":   {[]Leg{{1, "A", d("0")}}, "0", "100"},
		"duplicate leg":  {[]Leg{{1, "A", d("10")}, {1, "B", d("10")}}, "5", "1"},
		"negative order": {[]Leg{{1, "A", d("-10")}}, "0", "1"},
	}
	for name, c := range cases {
		if _, err := Allocate(c.legs, d(c.filled), d(c.lot), d("1")); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: err = %v, want ErrInvalid", name, err)
		}
	}
}

// TestAllocatePartialFillsProperty books random partial fills on random blocks,
// allocating each cumulative quantity, and checks every invariant.
func TestAllocatePartialFillsProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	lot := d("100")
	for trial := 0; trial < 300; trial++ {
		legs := randomLegs(rng)
		total := decimal.Zero
		for _, l := range legs {
			total = total.Add(l.Ordered)
		}
		cum := decimal.Zero
		var last []Allocation
		for cum.LessThan(total) && rng.IntN(20) > 0 {
			fill := decimal.NewFromInt(int64(1 + rng.IntN(700)))
			cum = decimal.Min(total, cum.Add(fill))
			a, err := Allocate(legs, cum, lot, d("1"))
			if err != nil {
				t.Fatal(err)
			}
			checkAllocation(t, legs, a, cum, lot)
			last = a
		}
		if last == nil {
			continue
		}
		oneShot, _ := Allocate(shuffled(rng, legs), cum, lot, d("1"))
		byID := map[int64]string{}
		for _, a := range oneShot {
			byID[a.OrderID] = a.Quantity.String()
		}
		for _, a := range last {
			if byID[a.OrderID] != a.Quantity.String() {
				t.Fatalf("final %v differs from one-shot %v (legs %v)", quantities(last), byID, legs)
			}
		}
	}
}

func checkAllocation(t *testing.T, legs []Leg, a []Allocation, cum, lot decimal.Decimal) {
	t.Helper()
	sum := decimal.Zero
	odd, oddOrders := 0, 0
	for i, x := range a {
		if x.Quantity.IsNegative() || x.Quantity.GreaterThan(legs[i].Ordered) {
			t.Fatalf("leg %d gets %s of %s ordered", x.OrderID, x.Quantity, legs[i].Ordered)
		}
		if !x.Quantity.Mod(lot).IsZero() {
			odd++
		}
		if !legs[i].Ordered.Mod(lot).IsZero() {
			oddOrders++
		}
		sum = sum.Add(x.Quantity)
	}
	if !sum.Equal(cum) {
		t.Fatalf("allocations %v sum to %s, want %s", quantities(a), sum, cum)
	}
	if odd > oddOrders+1 {
		t.Fatalf("%d odd lots in %v (only %d odd orders)", odd, quantities(a), oddOrders)
	}
}

func randomLegs(rng *rand.Rand) []Leg {
	n := 1 + rng.IntN(7)
	legs := make([]Leg, n)
	for i := range legs {
		q := int64(100 * (1 + rng.IntN(30)))
		if rng.IntN(4) == 0 {
			q += int64(1 + rng.IntN(99)) // an odd-lot order
		}
		legs[i] = Leg{OrderID: int64(1 + rng.IntN(1000)*10 + i), Portfolio: "P", Ordered: decimal.NewFromInt(q)}
	}
	return legs
}

func shuffled(rng *rand.Rand, legs []Leg) []Leg {
	out := append([]Leg(nil), legs...)
	rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}
