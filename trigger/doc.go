// Package trigger holds Ballast's conditional orders on holdings — stop-loss,
// take-profit, trailing stop, buy-stop and buy-limit — and the Engine that
// watches them against price updates. It is pure: no storage, no logging, no
// clock of its own; the caller stores what it returns and creates the orders
// through the order service.
//
// # Conditions
//
// A Condition belongs to one holding (portfolio + symbol). Its Terms say when
// it fires and what it orders:
//
//   - stop_loss fires when price ≤ level; take_profit when price ≥ level. The
//     level is a TriggerPrice, or a Percent loss/gain from the position's
//     average cost, resolved into Level by Validate (rounded to the nearest
//     tick). The level is fixed then: a later change of average cost does not
//     move it until the condition is modified (an active one: until the
//     amendment is approved).
//   - trailing_stop: with an ActivationPrice it starts tracking when price ≥
//     activation; without one, on the first price seen after it becomes
//     active. Once tracking, High is the highest price since activation and it
//     fires when price ≤ High − distance, the distance being Percent of High or
//     an Amount. The tick that activates it sets High to that price and cannot
//     fire it.
//   - buy_stop fires when price ≥ level (rising through it); buy_limit when
//     price ≤ level.
//
// A price exactly at the level fires. Sells take Quantity, or all of the
// holding when Quantity is zero; buys need a Quantity. The order is market, or
// a marketable limit: the firing price moved CollarBps against us, rounded
// outward to the tick. ValidUntil is at most MaxValidity (90 days) ahead of the
// validation time, and defaults to it.
//
// Validate refuses (FieldErrors, errors.Is ErrInvalid) a level the current
// price has already crossed — a stop-loss or buy-limit at or above the price, a
// take-profit or buy-stop at or below it — since it would fire on the next
// tick; a sell with no holding or more than the holding; a validity beyond 90
// days or in the past.
//
// # Life
//
// States move only through one table (CanTransition):
//
//	pending_approval → active | expired | cancelled
//	active           → triggered | expired | cancelled
//
// New creates a condition pending approval. Approve needs a trader who neither
// created it nor last modified it (four eyes). Modify re-validates new Terms
// of a pending or active condition. A pending condition takes them at once
// and records who modified it (AmendedBy). An active condition keeps its
// approved terms and approver and stays watched on them: the new terms become
// its pending Amendment (replacing one already pending), which
// ApproveAmendment makes its terms — for a trader who neither created the
// condition nor proposed the amendment, who becomes the approver, the author
// becoming AmendedBy — and RejectAmendment discards (a trader who could
// approve it rejects it; its author withdraws it). A condition that fires,
// is cancelled or expires voids its pending amendment, which can then never
// apply. A tracking trailing stop keeps its High through all of this.
// Triggered, expired and cancelled are final. Every change of terms, state
// or amendment bumps Version, for optimistic updates in storage
// (UPDATE … WHERE id = ? AND version = ?); trailing highs change without a
// version bump and are stored on their own.
//
// # Holdings
//
// A Template is a portfolio's default condition ("apply to new holdings"):
// relative levels only, selling all of the holding. Approved once (four-eyes),
// its Attach creates an active condition for each position a fill opens.
// Resize adjusts a waiting sell's partial quantity after a rebalancing sale
// (keeping its share of the holding, rounded down to the lot; cancelled when
// nothing is left); conditions on the whole holding simply follow it.
//
// # Engine
//
// The Engine holds active conditions indexed by security and threshold, never
// scanning them. Per security it keeps three binary heaps whose entries know
// their positions (so removal and re-keying are O(log n)):
//
//   - up, a min-heap by level: take-profit, buy-stop, and trailing stops
//     waiting for activation (keyed by activation price, zero when none);
//   - down, a max-heap by level: stop-loss, buy-limit, and tracking trailing
//     stops keyed by their current stop level High − distance;
//   - highs, a min-heap by High of the tracking trailing stops.
//
// A tick at price p pops the up heap while its top ≤ p (firing, or activating
// trailing stops with High = p), raises every high below p by popping the
// highs heap's minimum and re-keying it in both heaps, then pops the down heap
// while its top ≥ p. The cost is O(log n) per condition that fires, activates
// or whose high rises, and O(1) for a tick that changes nothing — output
// sensitive, since each changed high must be stored anyway. Expiry uses one
// more min-heap by ValidUntil across all securities.
//
// Conditions crossed by the same tick settle in ID order. A fired condition
// removes its OCO partner from the engine (returned cancelled) and names it in
// Fired.CancelPartner so storage cancels it even when it was still pending. A
// sell's quantity is capped at Options.Holding less what earlier firings in the
// same batch sold; with nothing left it is cancelled instead. HoldingClosed
// cancels a holding's sell conditions when a fill takes it to zero. A tick
// dated after a condition's ValidUntil expires it instead of firing it.
//
// # Restart
//
// Storage keeps every active condition with its last High. On start, NewEngine
// is built from them and resumes as if never stopped: the first price seen
// after the restart is evaluated against the stored levels and highs, so a
// price that crossed a level while Ballast was down fires on that first price
// (at that price, which may be worse than the level). Prices between the last
// stored high and the restart are unknown, so a high reached while Ballast was
// down is not tracked; the first price raises the high only if it is above it.
//
// # Benchmark
//
// NewSynthetic builds a reproducible book of conditions and tick batches for
// the benchmark in bench_test.go and for the `ballast bench triggers` command.
package trigger
