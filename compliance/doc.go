// Package compliance checks proposed trades against Ballast's compliance rules
// before they can be approved, and current holdings after the fact. It is pure:
// no I/O, no clock of its own, no logging; decimals only.
//
// # Evaluation model: the basket, not the order
//
// Check(before, trades, rules) evaluates one portfolio and one basket:
//
//  1. The "before" book is the portfolio's holdings and cash plus the unfilled
//     remainder of its working orders (State.Working), all assumed filled.
//  2. The "after" book adds the whole basket. A trade fills at its limit price
//     (the last price for a market order): cash moves by quantity × that price,
//     and positions are valued at the last price (at the trade price when the
//     symbol has none). NAV = cash + Σ market value.
//  3. Group sums — per security, issuer, sector, country and asset class — are
//     computed once per book; the after book only re-adds the symbols the basket
//     touches (an overlay on the before book's sums). Weights are compared in
//     amounts (limit % × NAV) so no division is needed per group; a percentage
//     is divided out only for results that are shown. Sums of decimals with the
//     same exponent add their int64 coefficients while they fit (checked), which
//     gives exactly the decimal that decimal.Add would.
//  4. Every rule whose Scope covers the portfolio is evaluated on both books and
//     each finding gets a Status (listed below). A breach is caused or worsened
//     by the basket when the measured value crosses the limit or moves further
//     past it AND a trade of the basket contributed (bought into the group,
//     spent the cash, sold into the short…); a value that moves only because
//     NAV moved (fills assumed at limit prices, trades elsewhere) is passive.
//  5. Each result names the rule (id, name, version), the group (issuer name,
//     sector, symbol…), the value after and before, the limit, the warning level,
//     the indexes of the basket trades that contributed (for a weight limit: the
//     buys into that group; for cash: the buys; for long-only: the sales…) and a
//     one-line message. Report.Trades gives each trade pass / warn / fail with the
//     breaches attributed to it; Report.Groups groups results by rule and status,
//     most severe first, with counts.
//
// The statuses:
//   - Pass: within the limit, outside the warning band;
//   - Warn: within the limit but inside the warning band (WarnPct of the limit);
//   - Fail: a hard breach the basket causes or worsens — the basket is blocked;
//   - NeedsOverride: the same for a soft rule — it waits for a compliance
//     override, one breach at a time (Result.Key identifies it);
//   - Passive: in breach, but not caused or worsened by a trade of the basket
//     (e.g. after a market move), which UCITS Art. 57 and the 1940 Act §5(c)
//     allow: noted, not blocking.
//
// Report.Status is the most severe of them (Fail when there are Problems);
// Pass, Warn and Passive let the basket proceed (Status.Allowed).
//
// Order-level rules (restricted list, notional, quantity, price collar, % of ADV,
// duplicate order) look at each trade: a breach is always caused by it.
// Bad input — a trade for another portfolio, an unknown security, no price, a
// non-positive quantity — is listed in Report.Problems and blocks the basket;
// the other trades are still checked.
//
// # Cash and the worst-case path
//
// The cash floor's breach test fills every order, so a sale funds a buy in the
// same basket (checking order by order would block it). Because fills can be
// partial, Ballast also computes the worst-case path — buys filled, sales not
// (Report.CashWorstCase): below the floor, the result is a warning telling the
// trader to release the sales first. Params.WorstCase makes the worst-case path
// the breach test instead.
//
// Gross exposure (max_gross_exposure, Σ|market value|) is measured on a
// worst-case path of its own, which fills whatever raises it. A position can
// end anywhere from every sale filled and no buy to every buy filled and no
// sale, and its |market value| is largest at one of the two ends; in each
// security the path takes that end: its buys (on a tie too), or its sales
// (sell and sell_short) when they take the position further from zero. So a
// buy counts as filled on a long or flat position, a short sale counts as
// filled, and so does a sale that leaves a short larger than the long it
// started from; a sale within the long position, or a buy that covers a short,
// does not. Cash and NAV move with the fills the path takes, and the trades
// it fills are the ones a breach is attributed to.
//
// # Regulatory rules: what is implemented
//
// UCITS 5/10/40 (Directive 2009/65/EC Art. 52), as a percent of NAV:
//   - each issuer ≤ 10% (IssuerLimit) — Art. 52(2);
//   - the issuers above 5% (BucketFloor) together ≤ 40% (BucketLimit);
//   - government issuers (asset class government_bond) and the public
//     international bodies listed in ExemptIssuers ≤ 35% each (GovernmentLimit)
//     and outside the 40% bucket — Art. 52(3) and 52(5);
//   - funds and cash are outside Art. 52 and ignored (Art. 55's limits on
//     holdings of other funds are not implemented);
//   - a breach is attributed to the buys of what its limit measures: the
//     issuer's ordinary securities for the 10% and the bucket, its government
//     or exempt issues for the 35%; buying a fund the issuer runs is neither;
//   - not implemented: covered bonds' 25% (52(4)), the 20% combined limit with
//     deposits and OTC exposure (52(5)), index-tracking funds (Art. 53), and the
//     six-issue condition for the 35%→100% government derogation (Art. 54).
//     "Companies of one group count as one issuer": give them one Issuer in the
//     securities master.
//
// Investment Company Act of 1940 §5(b)(1), diversified fund (75-5-10): at least
// 75% (Limit) of total assets in cash, government securities (government_bond),
// other investment companies (fund) and issuers each ≤ 5% (IssuerLimit) of total
// assets and ≤ 10% (VotingLimit) of the issuer's voting securities, taken as
// the equity holdings against Security.SharesOutstanding (securities without
// the figure are not tested on voting). An issuer over either limit is outside
// the 75% entirely. Total assets are positive cash plus positive market values.
// §5(c): only an acquisition can breach the test, so a breach the basket causes
// or worsens is Passive unless it contains a purchase of an issuer that is
// outside the 75% after the basket, of a security that does not qualify by its
// class (a government bond or fund of that issuer does not count); a basket
// with no buy never fails it.
//
// # Rules as code
//
// Rules are data (Rule, Params) with a version; ParseRules and MarshalRules
// read and write the JSON format documented in FORMAT.md, all or nothing.
// DemoRules returns the demo desk's set.
//
// # Post-trade and scale
//
// Batch checks current holdings (no basket) and returns alert candidates with a
// stable Key. CheckAll spreads many checks over the CPUs; states that share one
// Securities map share one Master index of it (NewMaster; set State.Master to
// share one yourself). Synthetic and SyntheticRules generate the benchmark desk
// (BenchmarkCheck10kx100x15):
//
//	go test -run '^$' -bench Check10k -benchtime 3x ./compliance/
package compliance
