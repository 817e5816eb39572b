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

// UCITS Art. 52 issuer results are for an issuer's ordinary securities only
// (funds and cash are outside Art. 52, government issues are measured
// separately). A fund of the same sponsor bought at a limit above last lowers
// NAV, so the passive 11% equity breach moves a little "worse" only because
// NAV moved: the fund buy is no contributor and the breach stays passive.
func TestUCITSIssuerBreachNotCausedByAFundOfTheSameIssuer(t *testing.T) {
	st := desk("890000", map[string]string{"A1": "1100"}, "ucits") // Alpha equity 11% of NAV 1,000,000: passive breach
	fund := st.Securities["F1"]
	fund.Symbol, fund.Issuer = "AF", "Alpha" // an investment fund run by the same issuer
	st.Securities["AF"] = fund
	st.Prices["AF"] = d("100")
	basket := []portfolio.Trade{trade(portfolio.Buy, "AF", "100", "110")} // a fund, outside Art. 52
	rep := Check(st, basket, []Rule{rule("ucits", KindUCITS, Hard, Params{})})
	for _, res := range only(t, rep, "ucits") {
		if res.Group == "Alpha" && res.Status != Passive {
			t.Errorf("issuer Alpha (ordinary securities) %s, trades %v: %s; want passive: no ordinary Alpha security was bought",
				res.Status, res.Trades, res.Message)
		}
	}
}

// The government (35%) results and the 1940 Act test blame only the buys they
// measure: a fund bought from an issuer whose government bonds or ordinary
// securities are already in breach leaves the breach passive.
func TestIssuerBreachesBlameOnlyTheSecuritiesTheyMeasure(t *testing.T) {
	withFund := func(st State, issuer string) State {
		fund := st.Securities["F1"]
		fund.Symbol, fund.Issuer = "XF", issuer
		st.Securities["XF"] = fund
		st.Prices["XF"] = d("100")
		return st
	}
	basket := []portfolio.Trade{trade(portfolio.Buy, "XF", "100", "110")} // at a limit above last: NAV falls by 1,000
	cases := []struct {
		name, issuer, group string
		st                  State
		r                   Rule
	}{
		{"government issuer over 35%", "US Treasury", "US Treasury",
			desk("640000", map[string]string{"G1": "3600"}), rule("reg", KindUCITS, Hard, Params{})},
		{"1940 Act, Beta outside the 75%", "Beta", "",
			desk("730000", map[string]string{"A1": "900", "B1": "900", "C1": "900"}), rule("reg", KindAct1940, Hard, Params{})},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rep := Check(withFund(c.st, c.issuer), basket, []Rule{c.r})
			found := false
			for _, res := range only(t, rep, "reg") {
				if res.Group != c.group {
					continue
				}
				found = true
				if res.Status != Passive || len(res.Trades) != 0 {
					t.Errorf("%s, trades %v: %s; want passive: only a fund of the issuer was bought", res.Status, res.Trades, res.Message)
				}
			}
			if !found {
				t.Fatalf("no result for %q: %+v", c.group, rep.Results)
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
