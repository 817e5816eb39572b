// Package rebalance turns a portfolio's drift from its model into marketable
// trades. Plan is pure and deterministic: no I/O, no clock, no randomness, no
// map iteration that reaches the output; the same Input and Options give a
// byte-identical Result. Every amount is a shopspring decimal; rounding is
// explicit and listed below. PlanAll runs Plan over many portfolios on all
// cores, keeping their order.
//
// # Terms
//
// All comparisons are made in money, never in rounded weights: a weight w%
// of NAV N is the amount w·N/100.
//
//   - NAV N: cash plus every held security that is not excluded, at last price.
//   - Excluded securities leave the calculation: their value leaves N and
//     their target points leave the model, and the remaining targets (CASH
//     included) are rescaled to sum to 100 over the remaining NAV:
//     t'ᵢ = tᵢ·100/(100 − Σ excluded tᵢ). They are never traded. If nothing is
//     left (every security excluded and no cash target) Plan fails.
//   - Reserve F: Options.CashReserve as an amount (a percentage is of N).
//   - Cash target C* = max(t'_cash·N/100, F) + Options.Raise. If C* > N Plan
//     fails with ErrCashAboveNAV rather than liquidate the portfolio.
//   - Effective targets: when C* is above the model's cash target, every
//     security target shrinks in proportion so that targets still sum to N:
//     Tᵢ = tᵢ·(N − C*)/(100 − Σ excluded − t_cash) (a decimal division rounded
//     to 16 places; with no exclusion, reserve or raise it is exactly tᵢ·N/100).
//     A held security outside the model has target 0. Result.Lines report Tᵢ
//     as TargetValue and as the Target weight.
//   - Band: the security's own band, else the model's, else ±1 point
//     (portfolio.DefaultBand). Absolute ±a is a·N/100 either side; relative
//     ±r% is Tᵢ·r/100 either side; the lower edge never goes below 0. Band
//     edges are inclusive: in band means lower ≤ value ≤ upper.
//   - Cash band: the CASH band around C*, giving an upper edge Cu and a floor
//     Cf = max(C* − half width, F); when raising, Cf = C*.
//   - Limits: sell limit = last·(1 − collar/10⁴) rounded DOWN to the tick,
//     buy limit = last·(1 + collar/10⁴) rounded UP to the tick (the tick is
//     the security's PriceIncrement, 0.01 when unset). Rounding outward keeps
//     the order at least as marketable as the collar asks; the cash check
//     uses these rounded limits, so the reserve holds at the worst fill. A
//     sell limit that rounds to zero is an error.
//   - Lot value: one round lot at last price (for values) or at the limit
//     (for cash and the minimum trade).
//
// # Steps, in order
//
//  1. Validate options and model; build one line per model security and held
//     security in symbol order; a missing or non-positive price for a held or
//     targeted security, a missing security record, a zero lot size, a short
//     or duplicate position: each is an error, and nothing is planned.
//  2. Primary sells (not with BuyOnly; not DoNotSell): every security above
//     its band is sold to its target (target mode) or to its upper band edge
//     (band mode). Target mode rounds the quantity DOWN to whole lots (never
//     below target); band mode rounds UP into the band, capped at the whole
//     lots that keep it at or above target. A sale to a destination of zero
//     sells the whole position, odd lot included.
//  3. Cash state: projected cash p = cash + proceeds at the sell limits. If
//     p < Cf, cash is CashUnder.
//  4. Secondary sells (only CashUnder, not BuyOnly): securities above their
//     target (inside their band or already sold in step 2), most overweight
//     first (largest value above target; ties by symbol), sell whole lots
//     toward target, never below it, until p reaches C* (target mode or when
//     raising) or Cf (band mode). Each sale takes the lots that cover what is
//     still needed (rounded up), capped at target; a target-0 security may be
//     sold out. This is how Options.Raise is met: the raise lifts C*.
//  5. Primary buys (not when raising; not DoNotBuy): every security below its
//     band is bought to its target (target mode, lots rounded DOWN) or to its
//     lower band edge (band mode, rounded UP, capped at target). They may
//     spend only p − C*: sale proceeds and cash above the cash target, never
//     cash below it (spending it would only move drift from the security to
//     cash). Scaling rule when that budget is short: each buy gets
//     ⌊budget·n/total⌋ lots (n its lots, total the cost of all buys at their
//     limits); a buy then worth less than the minimum trade gets none; what
//     is left buys further whole lots in order of largest shortfall to target
//     (ties by symbol), each up to its n, a new buy only if what fits reaches
//     the minimum trade. Scaled buys say so in their reason.
//  6. If cash is not CashUnder and p (after the buys) is above Cu, cash is
//     CashOver: secondary buys (not when raising; not DoNotBuy) spend the
//     cash above C* (target mode) or Cu (band mode) on securities below
//     their target, inside their band or not, most underweight first (ties by
//     symbol), each taking the whole lots that fit up to its target (rounded
//     down), a new buy only if it reaches the minimum trade: cash comes back
//     with the fewest trades rather than a sliver of everything.
//  7. Collar trim: trading at limit rather than last prices costs money and
//     lowers NAV, which raises every weight. A buy whose weight after the
//     trades would exceed its target weight (value·N > T·N_after) loses lots
//     until it does not (or is dropped below the minimum trade).
//  8. Trades below Options.MinTrade (quantity × limit) are never proposed.
//     Output: sells then buys, each in symbol order, one trade per security
//     and side, each with its reason.
//
// Securities inside their band therefore trade only when cash is out of band
// after the out-of-band trades (steps 4 and 6), and then only toward target:
// sells when cash is under its floor, buys when it is above its band.
// Result.CashState says which. BuyOnly never sells; Raise never buys.
//
// # What the property tests check
//
// Over thousands of random portfolios (fixed seeds): no sale of more than is
// held; cash after all trades at their limit prices ≥ reserve (when cash
// already started below the reserve, the plan buys nothing and cash does not
// fall; Result.Shortfall says what is missing); quantities are whole lots
// except whole-position sales; no buy ends above its target weight and no
// sale below it (after-trade weights on the after-trade NAV); nothing inside
// its band trades except as above; the sum of absolute drifts from the
// effective targets (cash included) never rises; the same input gives
// byte-identical output; and rerunning on the post-trade state proposes
// nothing. The last holds exactly when fills at limit prices equal last
// prices (no collar, prices on tick). With a collar the issue's invariants
// conflict: NAV after the fills is lower by the collar cost and every weight
// rises by N/N_after, so a security that sat just inside its upper band edge
// (and so rightly did not trade) can cross it, and a cash target that is a
// share of NAV falls and frees a little cash; the rerun then trades again.
// TestCollarMovesAnUntouchedSecurityOutOfBand is the smallest such case;
// TestRerunWithCollar measures how often it happens and checks that reruns
// settle within a few rounds.
//
// # Weights in results
//
// Result.Lines weights are 100·value/NAV (before) and /NAVAfter (after),
// rounded half away from zero to 4 places; Target, Lower and Upper are the
// model's own weights and band edges when nothing rescales the targets (no
// exclusion, binding reserve or raise), else the effective ones rounded the
// same way. Reasons show 2 places. Options.TradesOnly leaves Lines out and
// plans everything else identically (TestTradesOnlyPlansTheSameTrades):
// whole-book runs that print or save trades need no weights.
//
// # Speed
//
// Decisions are exact decimal arithmetic throughout. A line's quantities and
// values (held, sold, bought, after; value, target and band in money) and the
// projected cash are kept as fixed-point numbers, an int64 coefficient and an
// exponent, whose sums, differences, products, comparisons and lot divisions
// give the very decimals (coefficient and exponent) that decimal arithmetic
// gives, and fall back to it, exactly, when a coefficient reaches 2^62; a
// decimal (a big.Int and its digits on the heap) is made only for what the
// Result holds. The collar trim divides on big.Ints a worker reuses. PlanAll
// shares per-model work (validation, sorted targets, band edges as weights)
// and per-security limit prices between the portfolios of a run, and each
// worker interns the weights and reasons of its results and shares one big.Int
// between the values with the same coefficient (decimals and strings are
// immutable, so results share them). What is left is mostly the results
// themselves: about 340 MB and 3.1 million allocations for 10,000 portfolios
// of 100 positions, and the garbage collector marking them with the book;
// three quarters of that is Lines, so TradesOnly plans the same book with
// about 86 MB and 0.5 million.
package rebalance
