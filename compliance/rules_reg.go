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
	class := func(x *row) byte { // 'O' ordinary issuer, 'G' government or exempt, 0 outside Art. 52
		switch {
		case x.class == portfolio.AssetFund || x.class == portfolio.AssetCash:
			return 0
		case x.class == portfolio.AssetGovernmentBond || slices.Contains(p.ExemptIssuers, x.issuer):
			return 'G'
		}
		return 'O'
	}
	ordKey := func(x *row) (string, bool) { return x.issuer, class(x) == 'O' }
	govKey := func(x *row) (string, bool) { return x.issuer, class(x) == 'G' }
	ordName := "ucits-o:" + r.ID
	if len(p.ExemptIssuers) == 0 {
		ordName = ordinaryIssuers // the same grouping as the 1940 Act's: share it
	}
	oB, oA := e.before.sums(ordName, ordKey), e.after.sums(ordName, ordKey)
	gB, gA := e.before.sums("ucits-g:"+r.ID, govKey), e.after.sums("ucits-g:"+r.ID, govKey)
	navB, navA := e.before.nav, e.after.nav
	cOrd, cGov := newUpperCheck(r, single, navB, navA), newUpperCheck(r, gov, navB, navA)
	fB, fA := ofNAV(navB, floor), ofNAV(navA, floor)
	var out []Result
	var inB, inA acc
	var members []string
	visit := func(c upperCheck, label string, keyOf func(*row) (string, bool), sB sums, bucketed bool) func(string, decimal.Decimal) {
		return func(issuer string, vA decimal.Decimal) {
			vB := sB.get(issuer)
			if bucketed {
				if navB.IsPositive() && vB.Cmp(fB) > 0 {
					inB.add(vB)
				}
				if navA.IsPositive() && vA.Cmp(fA) > 0 {
					inA.add(vA)
					members = append(members, issuer)
				}
			}
			if s := c.status(r.Severity, vB, vA); s != Pass {
				res := c.result(r, s, issuer, vB, vA)
				res.attribute(func() []int { return e.buysUnder(keyOf, issuer) })
				res.describe(label+issuer, true, true)
				out = append(out, res)
			}
		}
	}
	_, topOA := oA.max()
	_, topOB := oB.max()
	_, topG := gA.max()
	if topOA.Cmp(fA) > 0 || topOB.Cmp(fB) > 0 || !cOrd.quiet(topOA) {
		oA.each(visit(cOrd, "issuer ", ordKey, oB, true))
	}
	if !cGov.quiet(topG) {
		gA.each(visit(cGov, "government issuer ", govKey, gB, false))
	}
	sort.Strings(members)
	cBucket := newUpperCheck(r, bucket, navB, navA)
	s := cBucket.status(r.Severity, inB.value(), inA.value())
	res := cBucket.result(r, s, fmt.Sprintf("issuers above %s%%", floor), inB.value(), inA.value())
	res.attribute(func() []int {
		return e.buysIn(func(sym string) bool {
			x := newRow(e.st, sym, decimal.Zero)
			return class(&x) == 'O' && slices.Contains(members, x.issuer)
		})
	})
	res.describe(fmt.Sprintf("sum of the %d issuer(s) above %s%%", len(members), floor), true, true)
	return append(out, res)
}

// buysUnder returns the basket's buys that keyOf counts under key: a result
// measured on sums by keyOf is attributed to the buys it measures, with the
// same grouping and the same filter (an issuer's fund is not one of its
// ordinary securities).
func (e *eval) buysUnder(keyOf func(*row) (string, bool), key string) []int {
	return e.buysIn(func(sym string) bool {
		x := newRow(e.st, sym, decimal.Zero)
		k, ok := keyOf(&x)
		return ok && k == key
	})
}

// act1940 implements the Investment Company Act of 1940 §5(b)(1) test for a
// diversified fund: at least Limit (75) % of total assets in cash, government
// securities, investment companies (asset class fund) and issuers each at most
// IssuerLimit (5) % of total assets and at most VotingLimit (10) % of their
// voting shares. §5(c): only an acquisition can breach it, so a breach with no
// contributing purchase in the basket is passive.
func (e *eval) act1940(r Rule) []Result {
	floor := orDefault(r.Params.Limit, 75)
	per, vote := orDefault(r.Params.IssuerLimit, 5), orDefault(r.Params.VotingLimit, 10)
	qB, taB, _ := e.diversification(e.before, per, vote)
	qA, taA, outside := e.diversification(e.after, per, vote)
	bB := taB.IsPositive() && qB.LessThan(ofNAV(taB, floor))
	bA := taA.IsPositive() && qA.LessThan(ofNAV(taA, floor))
	worse := bB && bA && qA.Mul(taB).LessThan(qB.Mul(taA))
	warn, hasWarn := r.warnLevel(floor, false)
	w := hasWarn && taA.IsPositive() && qA.Cmp(ofNAV(taA, warn)) <= 0
	res := newResult(r, classify(r.Severity, bB, bA, worse, w), "")
	res.Unit, res.Limit, res.WarnLevel, res.HasWarn = UnitPercent, floor, warn, hasWarn
	res.Value, res.Before = pct(qA, taA, false), pct(qB, taB, false)
	res.attribute(func() []int {
		// §5(c): only purchases count, of the securities that do not qualify by
		// their class, of the issuers outside the 75%.
		return e.buysIn(func(sym string) bool {
			x := newRow(e.st, sym, decimal.Zero)
			issuer, measured := nonQualifying(&x)
			_, out := outside[issuer]
			return measured && out
		})
	})
	res.describe("diversified (75-5-10) qualifying assets", false, true)
	if res.Status != Pass && len(outside) > 0 {
		res.Message += "; outside: " + largest(outside, taA, 3)
	}
	return []Result{res}
}

// diversification returns a book's qualifying assets, total assets and the
// issuers that do not qualify (above the per-issuer share of total assets or
// of voting shares) with their market value.
func (e *eval) diversification(b *book, per, vote decimal.Decimal) (q, ta decimal.Decimal, outside map[string]decimal.Decimal) {
	issuers := b.sums(ordinaryIssuers, nonQualifying)
	others := b.sums("act1940-q", func(x *row) (string, bool) { return "", qualifiesAsClass(x.class) })
	if issuers.hasNegative() || others.hasNegative() {
		return e.diversificationSlow(b, issuers, others.get(""), per, vote)
	}
	ta = b.nav.Sub(b.cash).Add(positive(b.cash)) // an overdraft is not an asset
	capAmt := ofNAV(ta, per)
	outside = map[string]decimal.Decimal{}
	if _, top := issuers.max(); top.Cmp(capAmt) > 0 {
		issuers.each(func(k string, v decimal.Decimal) {
			if v.Cmp(capAmt) > 0 {
				outside[k] = v
			}
		})
	}
	for _, issuer := range b.voting(vote) {
		if v := issuers.get(issuer); v.IsPositive() {
			outside[issuer] = v
		}
	}
	q = ta
	for _, v := range outside {
		q = q.Sub(v)
	}
	return q, ta, outside
}

// ordinaryIssuers names the sums by issuer of everything but government
// securities, funds and cash: UCITS' ordinary issuers and the 1940 Act's.
const ordinaryIssuers = "ordinary-issuers"

// nonQualifying keys by issuer what the 1940 Act measures issuer by issuer:
// everything that does not qualify by its asset class.
func nonQualifying(x *row) (string, bool) { return x.issuer, !qualifiesAsClass(x.class) }

// qualifiesAsClass reports whether an asset class counts in the 75% whatever
// its issuer: government securities, investment companies and cash items.
func qualifiesAsClass(class string) bool {
	return class == portfolio.AssetGovernmentBond || class == portfolio.AssetFund || class == portfolio.AssetCash
}

// diversificationSlow is diversification when some positions are short:
// total assets count positive cash and positive amounts only.
func (e *eval) diversificationSlow(b *book, issuers sums, others, per, vote decimal.Decimal) (q, ta decimal.Decimal, outside map[string]decimal.Decimal) {
	ta = positive(b.cash).Add(positive(others))
	issuers.each(func(_ string, v decimal.Decimal) { ta = ta.Add(positive(v)) })
	q = positive(b.cash).Add(positive(others))
	capAmt := ofNAV(ta, per)
	voting := map[string]bool{}
	for _, issuer := range b.voting(vote) {
		voting[issuer] = true
	}
	outside = map[string]decimal.Decimal{}
	issuers.each(func(k string, v decimal.Decimal) {
		if !v.IsPositive() {
			return
		}
		if v.Cmp(capAmt) > 0 || voting[k] {
			outside[k] = v
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
