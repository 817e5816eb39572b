package compliance

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/ballast-oms/ballast/portfolio"
	"github.com/shopspring/decimal"
)

// ucits implements UCITS Directive 2009/65/EC Art. 52(2)–(3) and (5) on
// issuer concentration, as a percent of NAV (see doc.go for what is and is not
// covered):
//   - every ordinary issuer ≤ IssuerLimit (10);
//   - the issuers above BucketFloor (5) together ≤ BucketLimit (40);
//   - government issuers (asset class government_bond) and ExemptIssuers
//     (public international bodies) ≤ GovernmentLimit (35) each, outside the bucket;
//   - funds and cash are outside Art. 52 and ignored.
func (e *eval) ucits(r Rule) []Result {
	p := r.Params
	single, floor := orDefault(p.IssuerLimit, 10), orDefault(p.BucketFloor, 5)
	bucket, gov := orDefault(p.BucketLimit, 40), orDefault(p.GovernmentLimit, 35)
	keyOf := func(sym string) (string, bool) {
		sec := e.st.security(sym)
		switch {
		case sec.AssetClass == portfolio.AssetFund || sec.AssetClass == portfolio.AssetCash:
			return "", false
		case sec.AssetClass == portfolio.AssetGovernmentBond || slices.Contains(p.ExemptIssuers, sec.Issuer):
			return "G" + sec.Issuer, true
		}
		return "O" + sec.Issuer, true
	}
	sB, sA := e.before.sums("ucits:"+r.ID, keyOf), e.after.sums("ucits:"+r.ID, keyOf)
	navB, navA := e.before.nav, e.after.nav
	cOrd, cGov := newUpperCheck(r, single, navB, navA), newUpperCheck(r, gov, navB, navA)
	fB, fA := ofNAV(navB, floor), ofNAV(navA, floor)
	var out []Result
	var inB, inA decimal.Decimal
	var members []string
	for _, k := range sortedKeys(sA) {
		vA, vB, issuer := sA[k], sB[k], k[1:]
		c, label := cOrd, "issuer "+issuer
		if k[0] == 'G' {
			c, label = cGov, "government issuer "+issuer
		} else {
			if navB.IsPositive() && vB.Cmp(fB) > 0 {
				inB = inB.Add(vB)
			}
			if navA.IsPositive() && vA.Cmp(fA) > 0 {
				inA = inA.Add(vA)
				members = append(members, issuer)
			}
		}
		if s := c.status(r.Severity, vB, vA); s != Pass {
			res := c.result(r, s, issuer, vB, vA)
			if s != Passive {
				res.Trades = e.buysIn(func(sym string) bool { return e.st.security(sym).Issuer == issuer })
			}
			res.describe(label, true, true)
			out = append(out, res)
		}
	}
	cBucket := newUpperCheck(r, bucket, navB, navA)
	s := cBucket.status(r.Severity, inB, inA)
	res := cBucket.result(r, s, fmt.Sprintf("issuers above %s%%", floor), inB, inA)
	if s != Pass && s != Passive {
		res.Trades = e.buysIn(func(sym string) bool {
			sec := e.st.security(sym)
			k, in := keyOf(sym)
			return in && k[0] == 'O' && slices.Contains(members, sec.Issuer)
		})
	}
	res.describe(fmt.Sprintf("sum of the %d issuer(s) above %s%%", len(members), floor), true, true)
	return append(out, res)
}

// act1940 implements the Investment Company Act of 1940 §5(b)(1) test for a
// diversified fund: at least Limit (75) % of total assets in cash, government
// securities, investment companies (asset class fund) and issuers each at most
// IssuerLimit (5) % of total assets and at most VotingLimit (10) % of their
// voting shares. §5(c): only an acquisition can breach it, so a breach with no
// contributing purchase in the basket is passive.
func (e *eval) act1940(r Rule) []Result {
	min := orDefault(r.Params.Limit, 75)
	per, vote := orDefault(r.Params.IssuerLimit, 5), orDefault(r.Params.VotingLimit, 10)
	qB, taB, _ := e.diversification(e.before, per, vote)
	qA, taA, outside := e.diversification(e.after, per, vote)
	bB := taB.IsPositive() && qB.LessThan(ofNAV(taB, min))
	bA := taA.IsPositive() && qA.LessThan(ofNAV(taA, min))
	worse := bB && bA && qA.Mul(taB).LessThan(qB.Mul(taA))
	warn, hasWarn := r.warnLevel(min, false)
	w := hasWarn && taA.IsPositive() && qA.Cmp(ofNAV(taA, warn)) <= 0
	contrib := e.buysIn(func(sym string) bool { _, out := outside[e.st.security(sym).Issuer]; return out })
	s := classify(r.Severity, bB, bA, worse, w)
	if (s == Fail || s == NeedsOverride) && len(contrib) == 0 {
		s = Passive
	}
	res := newResult(r, s, "")
	res.Unit, res.Limit, res.WarnLevel, res.HasWarn = UnitPercent, min, warn, hasWarn
	res.Value, res.Before = pct(qA, taA, false), pct(qB, taB, false)
	if s == Fail || s == NeedsOverride || s == Warn {
		res.Trades = contrib
	}
	res.describe("diversified (75-5-10) qualifying assets", false, true)
	if s != Pass && len(outside) > 0 {
		res.Message += "; outside: " + largest(outside, taA, 3)
	}
	return []Result{res}
}

// diversification returns a book's qualifying assets, total assets and the
// issuers that do not qualify (above the per-issuer share of total assets or
// of voting shares) with their market value.
func (e *eval) diversification(b *book, per, vote decimal.Decimal) (q, ta decimal.Decimal, outside map[string]decimal.Decimal) {
	keyOf := func(sym string) (string, bool) {
		sec := e.st.security(sym)
		switch sec.AssetClass {
		case portfolio.AssetGovernmentBond, portfolio.AssetFund, portfolio.AssetCash:
			return "Q", true
		}
		return "I" + sec.Issuer, true
	}
	sums := b.sums("act1940", keyOf)
	ta = positive(b.cash)
	for _, v := range sums {
		ta = ta.Add(positive(v))
	}
	q = positive(b.cash).Add(positive(sums["Q"]))
	capAmt := ofNAV(ta, per)
	voting := e.votingBreaches(b, vote)
	outside = map[string]decimal.Decimal{}
	for k, v := range sums {
		if k[0] != 'I' || !v.IsPositive() {
			continue
		}
		if v.Cmp(capAmt) > 0 || voting[k[1:]] {
			outside[k[1:]] = v
			continue
		}
		q = q.Add(v)
	}
	return q, ta, outside
}

// votingBreaches returns the issuers of which the book holds more than vote %
// of a security's shares outstanding (securities without it are not tested).
func (e *eval) votingBreaches(b *book, vote decimal.Decimal) map[string]bool {
	var out map[string]bool
	for sym, q := range b.qty {
		sec, ok := e.st.Securities[sym]
		if !ok || !q.IsPositive() || !sec.SharesOutstanding.IsPositive() || sec.AssetClass != portfolio.AssetEquity {
			continue
		}
		if q.Shift(2).Cmp(sec.SharesOutstanding.Mul(vote)) > 0 {
			if out == nil {
				out = map[string]bool{}
			}
			out[sec.Issuer] = true
		}
	}
	return out
}

func positive(d decimal.Decimal) decimal.Decimal {
	if d.IsPositive() {
		return d
	}
	return decimal.Zero
}

// largest lists the n largest entries of m as "name 8.1%".
func largest(m map[string]decimal.Decimal, base decimal.Decimal, n int) string {
	keys := sortedKeys(m)
	sort.SliceStable(keys, func(i, j int) bool { return m[keys[i]].GreaterThan(m[keys[j]]) })
	var parts []string
	for i, k := range keys {
		if i == n {
			parts = append(parts, fmt.Sprintf("and %d more", len(keys)-n))
			break
		}
		parts = append(parts, fmt.Sprintf("%s %s%%", k, pct(m[k], base, true)))
	}
	return strings.Join(parts, ", ")
}
