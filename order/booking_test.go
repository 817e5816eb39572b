package order

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/portfolio"
)

func pos(q, avg, pnl string) portfolio.Position {
	return portfolio.Position{Portfolio: "A", Symbol: "VOD", Quantity: d(q), AvgCost: d(avg), RealisedPnL: d(pnl)}
}

func TestBookSequence(t *testing.T) {
	steps := []struct {
		side                    portfolio.Side
		qty, px                 string
		wantQ, wantAvg, wantPnL string
		wantCash                string
		through                 bool
	}{
		{portfolio.Buy, "100", "10", "100", "10", "0", "9000", false},
		{portfolio.Buy, "50", "13", "150", "11", "0", "8350", false},
		{portfolio.Sell, "60", "12", "90", "11", "60", "9070", false},
		{portfolio.Sell, "90", "9", "0", "0", "-120", "9880", false},
		{portfolio.SellShort, "100", "20", "-100", "20", "-120", "11880", false},
		{portfolio.Buy, "40", "15", "-60", "20", "80", "11280", false},
		{portfolio.Buy, "100", "18", "40", "18", "200", "9480", true},
		{portfolio.Sell, "70", "17.5", "-30", "17.5", "180", "10705", true},
	}
	p, cash := pos("0", "0", "0"), d("10000")
	for i, s := range steps {
		var b Booking
		var err error
		p, cash, b, err = Book(p, cash, Fill{Side: s.side, Quantity: d(s.qty), Price: d(s.px)})
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		got := fmt.Sprintf("%s %s %s %s %v", p.Quantity, p.AvgCost, p.RealisedPnL, cash, b.ThroughZero)
		want := fmt.Sprintf("%s %s %s %s %v", s.wantQ, s.wantAvg, s.wantPnL, s.wantCash, s.through)
		if got != want {
			t.Fatalf("step %d (%s %s @ %s): got %s, want %s", i, s.side, s.qty, s.px, got, want)
		}
	}
}

func TestBookAvgCostRounding(t *testing.T) {
	cases := []struct{ first, second, want string }{
		{"10", "10.00000001", "10"},                   // 10.000000005: half to even (down)
		{"10.00000001", "10.00000002", "10.00000002"}, // 10.000000015: half to even (up)
		{"10", "10.00000003", "10.00000002"},          // 10.000000015
		{"10", "10.000000031", "10.00000002"},         // 10.0000000155: above half
		{"1", "2.000000009", "1.5"},                   // 1.5000000045: below half
	}
	for _, c := range cases {
		p, cash, _, _ := Book(pos("0", "0", "0"), d("0"), Fill{portfolio.Buy, d("1"), d(c.first)})
		p, _, _, _ = Book(p, cash, Fill{portfolio.Buy, d("1"), d(c.second)})
		if p.AvgCost.String() != c.want {
			t.Errorf("avg of %s and %s = %s, want %s", c.first, c.second, p.AvgCost, c.want)
		}
	}
	// A short position rounds the same way.
	p, _, _, _ := Book(pos("-1", "10.00000001", "0"), d("0"), Fill{portfolio.SellShort, d("1"), d("10.00000002")})
	if p.AvgCost.String() != "10.00000002" || p.Quantity.String() != "-2" {
		t.Errorf("short avg = %s %s", p.Quantity, p.AvgCost)
	}
}

func TestBookRefuses(t *testing.T) {
	for _, f := range []Fill{
		{portfolio.Buy, d("0"), d("10")},
		{portfolio.Buy, d("-1"), d("10")},
		{portfolio.Sell, d("1"), d("0")},
		{"hold", d("1"), d("10")},
	} {
		p0 := pos("5", "3", "1")
		p, cash, _, err := Book(p0, d("7"), f)
		if !errors.Is(err, ErrInvalid) || p != p0 || !cash.Equal(d("7")) {
			t.Errorf("Book(%v) = %v, %s, %v; want ErrInvalid and nothing changed", f, p, cash, err)
		}
	}
}

// TestBookThenReverseIsExact is the bust property: booking a fill and reversing
// it gives back the position and the cash, digit for digit.
func TestBookThenReverseIsExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 5000; i++ {
		p0, cash0 := randomPosition(rng), randomAmount(rng, 6)
		f := randomFill(rng)
		p1, cash1, b, err := Book(p0, cash0, f)
		if err != nil {
			t.Fatal(err)
		}
		p2, cash2 := Reverse(p1, cash1, b)
		if !samePosition(p0, p2) || cash0.String() != cash2.String() {
			t.Fatalf("book %v on %v cash %s then reverse: %v cash %s", f, p0, cash0, p2, cash2)
		}
	}
}

// TestReverseAfterALaterCloseKeepsTheMoney: a fill is booked, then a trade
// in the other direction, then the first fill is reversed (a bust, or a
// re-allocation of its block). Whatever the order, the holding's worth in
// money terms — cost basis (Quantity × AvgCost) less realised P&L, plus cash
// — stays what it was, but for AvgCost's rounding to AvgCostPlaces; the
// second trade alone is what remains booked. Half the cases take the
// position flat on reversal, where the residue is realised.
func TestReverseAfterALaterCloseKeepsTheMoney(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	worth := func(p portfolio.Position, cash decimal.Decimal) decimal.Decimal {
		return p.Quantity.Mul(p.AvgCost).Sub(p.RealisedPnL).Add(cash)
	}
	flat := 0
	for i := 0; i < 5000; i++ {
		p0, cash0 := randomPosition(rng), randomAmount(rng, 6)
		if p0.Quantity.IsZero() {
			continue
		}
		f1 := randomFill(rng)
		f1.Side = portfolio.Buy
		if p0.Quantity.IsNegative() {
			f1.Side = portfolio.SellShort
		}
		f2 := randomFill(rng) // the trade in the other direction
		f2.Side = portfolio.Sell
		if p0.Quantity.IsNegative() {
			f2.Side = portfolio.Buy
		}
		if i%2 == 0 {
			f2.Quantity = p0.Quantity.Abs() // closes what was held before f1: reversing f1 leaves it flat
		}
		p1, cash1, b1, err := Book(p0, cash0, f1)
		if err != nil {
			t.Fatal(err)
		}
		p2, cash2, _, err := Book(p1, cash1, f2)
		if err != nil {
			t.Fatal(err)
		}
		p3, cash3 := Reverse(p2, cash2, b1)
		if p3.Quantity.IsZero() {
			flat++
		}
		// Each of the three steps may round AvgCost by half a unit of the
		// last place on the quantity it leaves.
		unit := decimal.New(5, -AvgCostPlaces-1)
		tol := p1.Quantity.Abs().Add(p2.Quantity.Abs()).Add(p3.Quantity.Abs()).Mul(unit)
		if diff := worth(p3, cash3).Sub(worth(p0, cash0)).Abs(); diff.GreaterThan(tol) {
			t.Fatalf("case %d: %v cash %s; book %v, book %v, reverse the first: %v cash %s; worth moved by %s (tolerance %s)",
				i, p0, cash0, f1, f2, p3, cash3, diff, tol)
		}
		if want := p0.Quantity.Sub(f2.Quantity.Mul(decimal.NewFromInt(int64(p0.Quantity.Sign())))); !p3.Quantity.Equal(want) {
			t.Fatalf("case %d: quantity %s after the reversal, want %s (the second trade alone)", i, p3.Quantity, want)
		}
	}
	if flat < 1000 {
		t.Fatalf("only %d cases went flat on reversal", flat)
	}
}

func TestCorrectEqualsBookingTheCorrectedFill(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for i := 0; i < 2000; i++ {
		p0, cash0 := randomPosition(rng), randomAmount(rng, 6)
		wrong, right := randomFill(rng), randomFill(rng)
		right.Side = wrong.Side
		p1, cash1, b1, _ := Book(p0, cash0, wrong)
		p2, cash2, _, err := Correct(p1, cash1, b1, right)
		if err != nil {
			t.Fatal(err)
		}
		p3, cash3, _, _ := Book(p0, cash0, right)
		if !samePosition(p2, p3) || cash2.String() != cash3.String() {
			t.Fatalf("correct %v → %v on %v: %v %s, direct %v %s", wrong, right, p0, p2, cash2, p3, cash3)
		}
	}
	_, _, _, err := Correct(pos("1", "1", "0"), d("0"), Booking{}, Fill{portfolio.Buy, d("0"), d("1")})
	if !errors.Is(err, ErrInvalid) {
		t.Errorf("Correct with a bad fill = %v", err)
	}
}

func samePosition(a, b portfolio.Position) bool {
	return a.Portfolio == b.Portfolio && a.Symbol == b.Symbol && a.Quantity.String() == b.Quantity.String() &&
		a.AvgCost.String() == b.AvgCost.String() && a.RealisedPnL.String() == b.RealisedPnL.String()
}

func randomAmount(rng *rand.Rand, places int32) decimal.Decimal {
	return decimal.New(rng.Int64N(2_000_000_000)-1_000_000_000, -rng.Int32N(places+1))
}

func randomPosition(rng *rand.Rand) portfolio.Position {
	p := portfolio.Position{Portfolio: "A", Symbol: "X", RealisedPnL: randomAmount(rng, 8)}
	if rng.IntN(5) > 0 {
		p.Quantity = decimal.New(rng.Int64N(20_000)-10_000, -rng.Int32N(3))
	}
	if !p.Quantity.IsZero() {
		p.AvgCost = decimal.New(1+rng.Int64N(50_000_000_000), -rng.Int32N(AvgCostPlaces+1))
	}
	return p
}

func randomFill(rng *rand.Rand) Fill {
	sides := []portfolio.Side{portfolio.Buy, portfolio.Sell, portfolio.SellShort}
	return Fill{
		Side:     sides[rng.IntN(3)],
		Quantity: decimal.New(1+rng.Int64N(15_000), -rng.Int32N(3)),
		Price:    decimal.New(1+rng.Int64N(10_000_000), -rng.Int32N(7)),
	}
}
