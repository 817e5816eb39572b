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
	keyOf := func(r *row) (string, bool) {
		switch {
		case r.class == portfolio.AssetFund || r.class == portfolio.AssetCash:
			return "", false
		case r.class == portfolio.AssetGovernmentBond || slices.Contains(p.ExemptIssuers, r.issuer):
			return "G" + r.issuer, true
		}
		return "O" + r.issuer, true
	}
	sB, sA := e.before.sums("ucits:"+r.ID, keyOf), e.after.sums("ucits:"+r.ID, keyOf)
	navB, navA := e.before.nav, e.after.nav
	cOrd, cGov := newUpperCheck(r, single, navB, navA), newUpperCheck(r, gov, navB, navA)
	fB, fA := ofNAV(navB, floor), ofNAV(navA, floor)
	var out []Result
	var inB, inA decimal.Decimal
	var members []string
	ord := func(k string) bool { return k[0] == 'O' }
	_, topOA := topOf(sA, nil, ord)
	_, topOB := topOf(sB, nil, ord)
	_, topG := topOf(sA, nil, func(k string) bool { return k[0] == 'G' })
	quiet := topOA.Cmp(fA) <= 0 && topOB.Cmp(fB) <= 0 && cOrd.quiet(topOA) && cGov.quiet(topG)
	sA.each(func(k string, vA decimal.Decimal) {
		if quiet {
			return
		}
		vB, issuer := sB.get(k), k[1:]
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
	})
	sort.Strings(members)
	cBucket := newUpperCheck(r, bucket, navB, navA)
	s := cBucket.status(r.Severity, inB, inA)
	res := cBucket.result(r, s, fmt.Sprintf("issuers above %s%%", floor), inB, inA)
	if s != Pass && s != Passive {
		res.Trades = e.buysIn(func(sym string) bool {
			r := newRow(e.st, sym, decimal.Zero)
			k, in := keyOf(&r)
			return in && k[0] == 'O' && slices.Contains(members, r.issuer)
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
	keyOf := func(r *row) (string, bool) {
		switch r.class {
		case portfolio.AssetGovernmentBond, portfolio.AssetFund, portfolio.AssetCash:
			return "Q", true
		}
		return "I" + r.issuer, true
	}
	g := b.sums("act1940", keyOf)
	capAmt := ofNAV(b.nav, per)
	exact := !b.cash.IsNegative()
	g.each(func(_ string, v decimal.Decimal) { exact = exact && !v.IsNegative() })
	if !exact { // shorts or an overdraft: total assets are the positive side only
		return e.diversificationSlow(b, g, per, vote)
	}
	ta = b.nav
	outside = map[string]decimal.Decimal{}
	if _, top := topOf(g, nil, func(k string) bool { return k[0] == 'I' }); top.Cmp(capAmt) > 0 {
		g.each(func(k string, v decimal.Decimal) {
			if k[0] == 'I' && v.Cmp(capAmt) > 0 {
				outside[k[1:]] = v
			}
		})
	}
	for _, issuer := range b.voting(vote) {
		if v := g.get("I" + issuer); v.IsPositive() {
			outside[issuer] = v
		}
	}
	q = ta
	for _, v := range outside {
		q = q.Sub(v)
	}
	return q, ta, outside
}

// diversificationSlow is diversification when some amounts are negative:
// total assets count positive cash and positive issuer amounts only.
func (e *eval) diversificationSlow(b *book, g sums, per, vote decimal.Decimal) (q, ta decimal.Decimal, outside map[string]decimal.Decimal) {
	ta = positive(b.cash)
	g.each(func(_ string, v decimal.Decimal) { ta = ta.Add(positive(v)) })
	q = positive(b.cash).Add(positive(g.get("Q")))
	capAmt := ofNAV(ta, per)
	voting := map[string]bool{}
	for _, issuer := range b.voting(vote) {
		voting[issuer] = true
	}
	outside = map[string]decimal.Decimal{}
	g.each(func(k string, v decimal.Decimal) {
		if k[0] != 'I' || !v.IsPositive() {
			return
		}
		if v.Cmp(capAmt) > 0 || voting[k[1:]] {
			outside[k[1:]] = v
			return
		}
		q = q.Add(v)
	})
	return q, ta, outside
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
