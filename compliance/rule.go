package compliance

import (
	"github.com/ballast-oms/ballast/portfolio"
	"github.com/shopspring/decimal"
)

// Kind names what a rule measures; each kind reads its own Params (see FORMAT.md).
type Kind string

// The rule kinds of the library.
const (
	KindRestricted  Kind = "restricted"         // restricted list: no_trade / no_buy / sell_only
	KindMaxWeight   Kind = "max_weight"         // group weight (security, issuer, …) ≤ limit %
	KindMinHoldings Kind = "min_holdings"       // number of positions ≥ limit
	KindCashFloor   Kind = "cash_floor"         // projected cash ≥ limit (amount)
	KindLongOnly    Kind = "long_only"          // no position below zero
	KindMaxGross    Kind = "max_gross_exposure" // Σ|market value| ≤ limit % of NAV, with what raises it filled
	KindMaxNotional Kind = "max_order_notional" // quantity × price ≤ limit
	KindMaxQuantity Kind = "max_order_quantity" // quantity ≤ limit
	KindPriceCollar Kind = "price_collar"       // |limit price − last| in bps within soft / hard bands
	KindMaxADV      Kind = "max_adv_pct"        // quantity ≤ limit % of average daily volume
	KindDuplicate   Kind = "duplicate_order"    // same portfolio, security and side within N minutes
	KindUCITS       Kind = "ucits_5_10_40"      // UCITS Art. 52 issuer concentration
	KindAct1940     Kind = "act1940_75_5_10"    // Investment Company Act 1940 §5(b)(1) diversification
)

// Kinds lists every rule kind in documentation order.
var Kinds = []Kind{
	KindRestricted, KindMaxWeight, KindMinHoldings, KindCashFloor, KindLongOnly, KindMaxGross,
	KindMaxNotional, KindMaxQuantity, KindPriceCollar, KindMaxADV, KindDuplicate, KindUCITS, KindAct1940,
}

// Severity says what a breach does: a hard breach blocks, a soft one needs an override.
type Severity string

// The two severities.
const (
	Hard Severity = "hard"
	Soft Severity = "soft"
)

// Dimension is a way of grouping positions for weight limits.
type Dimension string

// The grouping dimensions; each names a field of portfolio.Security.
const (
	BySecurity   Dimension = "security"
	ByIssuer     Dimension = "issuer"
	BySector     Dimension = "sector"
	ByCountry    Dimension = "country"
	ByAssetClass Dimension = "asset_class"
)

// Dimensions lists the grouping dimensions.
var Dimensions = []Dimension{BySecurity, ByIssuer, BySector, ByCountry, ByAssetClass}

// Mode is what a restricted list forbids.
type Mode string

// The restricted-list modes.
const (
	NoTrade  Mode = "no_trade"  // no order of any side
	NoBuy    Mode = "no_buy"    // no purchase
	SellOnly Mode = "sell_only" // only sales that reduce an existing long position
)

// Scope says which portfolios a rule applies to; the zero Scope means all of them.
// When both fields are set, both must match.
type Scope struct {
	Tag       string `json:"tag,omitempty"`       // portfolios carrying this tag
	Portfolio string `json:"portfolio,omitempty"` // the portfolio with this code
}

// Applies reports whether the scope covers portfolio p.
func (s Scope) Applies(p portfolio.Portfolio) bool {
	if s.Portfolio != "" && s.Portfolio != p.Code {
		return false
	}
	return s.Tag == "" || p.HasTag(s.Tag)
}

// Params are a rule's parameters. Each kind uses only some of them; the
// validation rejects parameters a kind does not use. Percentages are percent
// (10 means 10%), amounts are in the portfolio's base currency.
type Params struct {
	Limit   decimal.Decimal // the kind's main limit (see FORMAT.md for its unit)
	WarnPct decimal.Decimal // warn at this percent of the limit (e.g. 90); zero means no warning band

	Dimension Dimension // max_weight: the grouping
	Keys      []string  // max_weight: only these group keys (empty: every group)
	Except    []string  // max_weight: groups left out, e.g. sovereign issuers under an issuer cap

	Mode    Mode     // restricted
	Symbols []string // restricted: securities on the list
	Issuers []string // restricted: issuers on the list

	SoftBps decimal.Decimal // price_collar: soft band, basis points from the last price
	HardBps decimal.Decimal // price_collar: hard band

	Minutes int // duplicate_order: look-back window

	WorstCase bool // cash_floor: breach on the worst-case path, not only warn

	IssuerLimit     decimal.Decimal // ucits: 10; act1940: 5 (% of assets per issuer)
	BucketFloor     decimal.Decimal // ucits: 5 — issuers above this count in the bucket
	BucketLimit     decimal.Decimal // ucits: 40 — the bucket's maximum
	GovernmentLimit decimal.Decimal // ucits: 35 — per government / public-international issuer
	VotingLimit     decimal.Decimal // act1940: 10 (% of the issuer's voting shares)
	ExemptIssuers   []string        // ucits: public-international issuers treated like governments
}

// Rule is one versioned compliance rule.
type Rule struct {
	ID       string // stable key, e.g. "issuer-10"
	Name     string // for people
	Version  int    // ≥ 1; bumped on every change, recorded with overrides
	Kind     Kind
	Severity Severity // price_collar: ignored, each band has its own severity
	Scope    Scope
	Params   Params
}

// AppliesTo reports whether the rule covers portfolio p.
func (r Rule) AppliesTo(p portfolio.Portfolio) bool { return r.Scope.Applies(p) }

// warnLevel returns the warning level for a maximum (upper == true) or a
// minimum limit, and whether the rule has a warning band.
func (r Rule) warnLevel(limit decimal.Decimal, upper bool) (decimal.Decimal, bool) {
	pct := r.Params.WarnPct
	if !pct.IsPositive() {
		return decimal.Zero, false
	}
	if upper {
		return limit.Mul(pct).Shift(-2), true
	}
	return limit.Shift(2).Div(pct), true
}

func orDefault(d decimal.Decimal, def int64) decimal.Decimal {
	if d.IsZero() {
		return decimal.NewFromInt(def)
	}
	return d
}
