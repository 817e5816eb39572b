package compliance

import (
	"testing"

	"github.com/ballast-oms/ballast/portfolio"
)

// In these tests NAV is 1,000,000 and 100 shares are 1% of it.

func TestUCITS51040(t *testing.T) {
	ucits := rule("ucits", KindUCITS, Hard, Params{})
	fourAt9 := map[string]string{"A1": "900", "B1": "900", "C1": "900", "H1": "900"}      // 36% above 5%
	fourAt10 := map[string]string{"A1": "1000", "B1": "1000", "C1": "1000", "H1": "1000"} // 40% exactly
	cases := []struct {
		name   string
		cash   string
		held   map[string]string
		basket []portfolio.Trade
		r      Rule
		want   Status
		group  string
		trades []int
	}{
		{"bucket over 40% while every issuer is under 10%", "640000", fourAt9, []portfolio.Trade{buy("H2", "900")},
			ucits, Fail, "issuers above 5%", []int{0}},
		{"every issuer at 10% and the bucket at exactly 40%", "600000", fourAt10, nil, ucits, Pass, "", nil},
		{"an issuer at exactly 5% stays out of the bucket", "600000", fourAt10, []portfolio.Trade{buy("H2", "500")}, ucits, Pass, "", nil},
		{"an issuer just over 5% joins the bucket", "600000", fourAt10, []portfolio.Trade{buy("H2", "501")}, ucits, Fail, "issuers above 5%", []int{0}},
		{"one issuer over 10% across two securities", "900000", map[string]string{"A1": "1000"},
			[]portfolio.Trade{buy("A2", "1")}, ucits, Fail, "Alpha", []int{0}},
		{"government issuer at exactly 35%, outside the bucket", "290000", map[string]string{"G1": "3500", "A1": "900", "B1": "900", "C1": "900", "H1": "900"},
			nil, ucits, Pass, "", nil},
		{"government issuer just over 35%", "650000", map[string]string{"G1": "3500"},
			[]portfolio.Trade{buy("G1", "1")}, ucits, Fail, "US Treasury", []int{0}},
		{"public international issuer listed as exempt", "800000", map[string]string{"E1": "2000"}, nil,
			rule("ucits", KindUCITS, Hard, Params{ExemptIssuers: []string{"European Investment Bank"}}), Pass, "", nil},
		{"the same issuer not listed is an ordinary issuer", "800000", map[string]string{"E1": "2000"}, nil,
			ucits, Passive, "European Investment Bank", nil},
		{"funds are outside Art. 52", "500000", map[string]string{"F1": "5000"}, nil, ucits, Pass, "", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rep := Check(desk(c.cash, c.held), c.basket, []Rule{c.r})
			if !rep.NAVAfter.Equal(d("1000000")) {
				t.Fatalf("fixture NAV %s", rep.NAVAfter)
			}
			res := worst(t, rep, "ucits")
			if res.Status != c.want || (c.group != "" && res.Group != c.group) || !sameInts(res.Trades, c.trades) {
				t.Fatalf("got %s %q %v, want %s %q %v: %s", res.Status, res.Group, res.Trades, c.want, c.group, c.trades, res.Message)
			}
		})
	}
}

func TestUCITSBucketBreachHasNoIssuerBreach(t *testing.T) {
	rep := Check(desk("640000", map[string]string{"A1": "900", "B1": "900", "C1": "900", "H1": "900"}),
		[]portfolio.Trade{buy("H2", "900")}, []Rule{rule("ucits", KindUCITS, Hard, Params{})})
	rs := only(t, rep, "ucits")
	if len(rs) != 1 || !rs[0].Value.Equal(d("45")) || !rs[0].Limit.Equal(d("40")) {
		t.Fatalf("want the bucket alone at 45%% against 40%%: %+v", rs)
	}
}

func TestAct1940TriggeredByPurchases(t *testing.T) {
	act := rule("act", KindAct1940, Hard, Params{})
	atLimit := map[string]string{"A1": "900", "B1": "900", "C1": "700"}  // 25% in issuers above 5%: 75% qualifies
	breached := map[string]string{"A1": "900", "B1": "900", "C1": "900"} // 27% outside: 73% qualifies
	cases := []struct {
		name   string
		cash   string
		held   map[string]string
		basket []portfolio.Trade
		want   Status
		trades []int
	}{
		{"exactly 75% qualifying", "750000", atLimit, nil, Pass, nil},
		{"a purchase of an issuer at exactly 5% qualifies", "750000", atLimit, []portfolio.Trade{buy("H1", "500")}, Pass, nil},
		{"a purchase just over 5% breaches", "750000", atLimit, []portfolio.Trade{buy("H1", "501")}, Fail, []int{0}},
		{"no purchase: a sale below the last price cannot breach (5(c))", "0",
			map[string]string{"A1": "900", "B1": "900", "C1": "700", "G1": "7500"},
			[]portfolio.Trade{trade(portfolio.Sell, "G1", "7500", "99")}, Passive, nil},
		{"already breached: buying government bonds is passive", "730000", breached, []portfolio.Trade{buy("G1", "100")}, Passive, nil},
		{"already breached: buying a small issuer is passive", "730000", breached, []portfolio.Trade{buy("H1", "100")}, Passive, nil},
		{"already breached: buying an outside issuer worsens it", "730000", breached, []portfolio.Trade{buy("B1", "100")}, Fail, []int{0}},
		{"an overdraft is not an asset: 750,000 of 1,000,000 qualify", "-100000", map[string]string{"G1": "7500", "A1": "2500"}, nil, Pass, nil},
		{"10% of voting shares exactly qualifies", "740000", map[string]string{"A1": "900", "B1": "900", "C1": "700", "S1": "100"}, nil, Pass, nil},
		{"just over 10% of voting shares does not", "740000", map[string]string{"A1": "900", "B1": "900", "C1": "700", "S1": "100"},
			[]portfolio.Trade{buy("S1", "1")}, Fail, []int{0}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := worst(t, Check(desk(c.cash, c.held), c.basket, []Rule{act}), "act")
			if res.Status != c.want || !sameInts(res.Trades, c.trades) {
				t.Fatalf("got %s %v, want %s %v: %s", res.Status, res.Trades, c.want, c.trades, res.Message)
			}
		})
	}
}

func TestAct1940VotingSharesFollowTheBasket(t *testing.T) {
	act := rule("act", KindAct1940, Hard, Params{})
	st := desk("980000", map[string]string{"S1": "200"}) // 20% of Small Co's 1,000 voting shares, 2% of assets
	rep := Check(st, []portfolio.Trade{sell("S1", "150")}, []Rule{act})
	if res := worst(t, rep, "act"); !res.Before.Equal(d("98")) || !res.Value.Equal(d("100")) {
		t.Fatalf("selling down to 5%% of the votes brings Small Co back into the 75%%: %+v", res)
	}
	st = desk("980000", map[string]string{"A1": "200"})
	alpha := st.Securities["A1"]
	alpha.SharesOutstanding = d("1000")
	st.Securities["A1"] = alpha
	rep = Check(st, []portfolio.Trade{buy("A2", "100")}, []Rule{act})
	if res := worst(t, rep, "act"); !res.Before.Equal(d("98")) || !res.Value.Equal(d("97")) {
		t.Fatalf("Alpha stays outside, with its new security: %+v", res)
	}
}
