package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/db"
	"github.com/ballast-oms/ballast/internal/browsertest"
)

// TestBrowserDesk walks the whole desk in a real Chromium against `ballast
// serve --price-feed none` with the in-process broker SIM, asserting what each
// person sees: the admin uploads the custodian's holdings and a price file
// (uploads are an admin's job); the PM leaves a trailing stop on FAM-01's KO,
// sees EU-LEAD and UK-INC drift, rebalances both, and the proposal has one
// soft breach (selling SAP is over the 5,000,000 notional limit); the
// compliance officer overrides it with a reason; a trader (not the proposer)
// approves the trailing stop and the proposal, blocks the SAP sale at SIM and
// releases it; the fills arrive in the open blotter (partially filled, then
// filled); EU-LEAD's SAP position and cash move by the fills; prices the
// trader publishes fire the trailing stop and its order is on the blotter.
//
// With BALLAST_SCREENSHOTS=DIR (relative to the repository root, e.g.
// docs/images) it writes the README's tour screenshots there.
func TestBrowserDesk(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	browser := browsertest.New(t)
	path := filepath.Join(t.TempDir(), "desk.db")
	base := browserServe(t, browser, path, "--price-feed", "none", "--compliance-batch-at", "off", "--sim-fill-latency", "1s")
	w := &deskWalk{t: t, b: browser, base: base, shots: screenshotDir(t)}
	w.step("a 1280×800 window", chromedp.EmulateViewport(1280, 800))

	// 1. The custodian's file moved UK-INC's AZN; SAP rose 46%.
	dir := t.TempDir()
	cliWriteFile(t, dir, "holdings.csv", "portfolio,symbol,quantity,avg_cost\nUK-INC,AZN,45000,121.40\n")
	cliWriteFile(t, dir, "prices.csv", "symbol,price\nSAP,260\n")
	w.signIn("admin")
	w.upload("holdings", filepath.Join(dir, "holdings.csv"), "Imported holdings from holdings.csv: 0 added, 1 updated.")
	w.upload("prices", filepath.Join(dir, "prices.csv"), "Imported prices from prices.csv: 1 added, 0 updated.")
	w.signOut()

	// The PM leaves a 5% trailing stop on FAM-01's KO, active from 63.
	w.signIn("pm")
	ko := `[id="holding-KO"]`
	add := ko + " details:last-of-type"
	w.step("open FAM-01", chromedp.Navigate(base+"/portfolios/FAM-01"), chromedp.WaitVisible(chromedp.CSS(add+" summary")))
	koQty := w.positionQty("KO")
	w.step("add a trailing stop on KO",
		chromedp.Click(chromedp.CSS(add+" summary")),
		chromedp.SetValue(chromedp.CSS(add+" select[name=kind]"), "trailing_stop"),
		chromedp.SendKeys(chromedp.CSS(add+" input[name=percent]"), "5"),
		chromedp.SendKeys(chromedp.CSS(add+" input[name=activation_price]"), "63"),
		chromedp.Click(chromedp.CSS(add+" button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(ko+` tr[data-state="pending_approval"]`)),
	)
	w.contains(ko+` tr[data-state="pending_approval"]`, "trailing_stop", "pending_approval", "pm /")

	// 2. Drift: both portfolios are flagged, firm-wide and line by line.
	w.step("open the drift list", chromedp.Navigate(base+"/drift"), chromedp.WaitVisible(chromedp.CSS("#drift-list")))
	for _, pf := range []string{"EU-LEAD", "UK-INC"} {
		if n := w.text(fmt.Sprintf(`#drift-list tr[data-portfolio=%q] td:nth-child(8)`, pf)); n == "0" {
			t.Errorf("the drift list shows %s with %s lines out of band", pf, n)
		}
	}
	w.step("open UK-INC's drift", chromedp.Navigate(base+"/portfolios/UK-INC/drift"), chromedp.WaitVisible(chromedp.CSS("#drift")))
	w.contains(`#drift tr[data-symbol="AZN"]`, "out of band")
	w.step("open EU-LEAD's drift", chromedp.Navigate(base+"/portfolios/EU-LEAD/drift"), chromedp.WaitVisible(chromedp.CSS("#drift-chart")))
	w.contains(`#drift tr[data-symbol="SAP"]`, "out of band")
	if got := w.text(`[data-testid="out-of-band"]`); got == "0" {
		t.Errorf("EU-LEAD's drift page counts %s lines out of band after SAP rose", got)
	}
	w.shot("drift")

	// 3. Rebalance both, keeping 5.5% cash, limits 50 bps through the market.
	w.step("preview a rebalance of EU-LEAD and UK-INC",
		chromedp.Navigate(base+"/rebalance"),
		chromedp.WaitVisible(chromedp.CSS("#pick-EU-LEAD")),
		chromedp.Click(chromedp.CSS("#pick-EU-LEAD")),
		chromedp.Click(chromedp.CSS("#pick-UK-INC")),
		chromedp.SetValue(chromedp.CSS("#rb-reserve"), "5.5%"),
		chromedp.SetValue(chromedp.CSS("#rb-collar"), "50"),
		chromedp.Click(chromedp.CSS(`#rebalance-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`button[name=action][value=save]`)),
	)
	if got := w.text(`[data-testid="trade-count"]`); got != "4 trade(s) for 2 portfolio(s)." {
		t.Errorf("the preview says %q", got)
	}
	sap := `section[data-portfolio="EU-LEAD"] tr[data-symbol="SAP"]`
	w.contains(sap, "sell", "overweight")
	w.contains(`section[data-portfolio="UK-INC"] tr[data-symbol="AZN"]`, "sell", "overweight")
	w.shot("rebalance-preview")
	w.step("submit the proposal", chromedp.Click(chromedp.CSS(`button[name=action][value=save]`)), chromedp.WaitVisible(chromedp.CSS(".flash")))
	if got := w.text(".flash"); got != "Saved a proposal of 4 order(s) for 2 portfolio(s)." {
		t.Fatalf("after submitting the page says %q", got)
	}
	w.step("open the blotter", chromedp.Navigate(base+"/blotter"), chromedp.WaitVisible(chromedp.CSS("#orders")))
	rows := w.orders()
	if len(rows) != 4 || w.count(`#orders button[formaction$="/approve"]`) != 0 {
		t.Fatalf("the PM's blotter: %v, %d approve buttons; want the 4 orders and none to approve", rows, w.count(`#orders button[formaction$="/approve"]`))
	}
	sapOrder := rows.find(t, "EU-LEAD", "SAP")
	for _, r := range rows {
		want := "ready"
		if r.id == sapOrder.id {
			want = "awaiting override"
		}
		if r.status != want || r.proposer != "pm" {
			t.Errorf("order %s %s %s: status %q by %q, want %q by pm", r.id, r.portfolio, r.symbol, r.status, r.proposer, want)
		}
	}
	w.signOut()

	// 4. The compliance officer overrides the soft breach with a reason.
	w.signIn("compliance")
	w.step("open the pre-trade review", chromedp.Navigate(base+"/compliance"), chromedp.WaitVisible(chromedp.CSS("#review-queue")))
	w.contains(fmt.Sprintf(`#review-queue tr[data-order=%q]`, sapOrder.id), "EU-LEAD", "sell", "SAP", "awaiting_override", "max-notional")
	form := `form[action$="/overrides"]`
	w.step("fill in the override",
		chromedp.Navigate(base+"/compliance/orders/"+sapOrder.id),
		chromedp.WaitVisible(chromedp.CSS(form+" select[name=reason_code]")),
		chromedp.SetValue(chromedp.CSS(form+" select[name=reason_code]"), "market_move"),
		chromedp.SendKeys(chromedp.CSS(form+" input[name=reason]"), "SAP rose 46%; one sale brings EU-LEAD back to its model"),
	)
	w.contains(`section[data-group^="max-notional"]`, "max-notional", "above the limit 5000000.00: needs a compliance override")
	w.shot("compliance-override")
	w.step("override", chromedp.Click(chromedp.CSS(form+" button[type=submit]")), chromedp.WaitVisible(chromedp.CSS(".flash")))
	w.contains(".flash", "ready for a trader")
	w.contains("main", "Overridden by compliance.", "market_move")
	w.signOut()

	// 5. A trader approves the PM's trailing stop and proposal, blocks the SAP sale at SIM, releases it.
	w.signIn("trader")
	w.step("open the conditions", chromedp.Navigate(base+"/conditions"), chromedp.WaitVisible(chromedp.CSS(`tr[id^="condition-"]`)))
	cond := "#" + w.eval(`[...document.querySelectorAll('tr[id^="condition-"]')].find(tr => tr.textContent.includes('KO')).id`)
	w.step("approve the trailing stop", chromedp.Click(chromedp.CSS(cond+` form[action$="/approve"] button`)),
		chromedp.WaitVisible(chromedp.CSS(cond+`[data-state="active"]`)))
	w.contains(cond, "FAM-01", "trailing_stop", "pm / trader")

	eu := w.holding("EU-LEAD", "SAP")
	ids := make([]string, 0, len(rows))
	for _, r := range rows {
		ids = append(ids, r.id)
	}
	if got := w.bulk("approve", "", ids...); got != "4 of 4 orders approved." {
		t.Errorf("after approving the page says %q", got)
	}
	for _, r := range w.orders() {
		if r.status != "approved" {
			t.Errorf("after the approval order %s is %q", r.id, r.status)
		}
	}
	got := w.bulk("block", "SIM", sapOrder.id)
	m := regexp.MustCompile(`^Block (\d+) created at SIM with 1 orders`).FindStringSubmatch(got)
	if m == nil {
		t.Fatalf("after blocking the page says %q", got)
	}
	block := fmt.Sprintf(`#blocks tr[data-block=%q]`, m[1])
	w.contains(block, "sell", "SAP", "approved", "SIM")
	w.eval(fmt.Sprintf(`document.querySelector('%s form[action$="/release"] button').click(), 'sent'`, block))
	if got := w.until(".flash", func(s string) bool { return strings.HasPrefix(s, "Block "+m[1]+" ") && !strings.Contains(s, "created") }); got != "Block "+m[1]+" released." {
		t.Fatalf("after the release the page says %q", got)
	}
	w.eval(`window.deskMark = "after the release"`) // gone if the page reloads

	// 6. SIM fills in three steps; the open blotter shows them as they come.
	seen := w.watch(block+` td:nth-child(7) span`, "filled")
	if !seen["partially filled"] || !seen["filled"] || w.eval(`String(window.deskMark)`) != "after the release" {
		t.Fatalf("block statuses seen without a reload: %v; want partially filled, then filled", seen)
	}
	filled, avg := w.number(block+` td:nth-child(8)`), w.number(block+` td:nth-child(10)`)
	if !filled.Equal(sapOrder.qty) || w.text(fmt.Sprintf(`#orders tr[data-order=%q] td:nth-child(9)`, sapOrder.id)) != "filled" {
		t.Errorf("block filled %s of %s; order shows %q", filled, sapOrder.qty, w.text(fmt.Sprintf(`#orders tr[data-order=%q] td:nth-child(9)`, sapOrder.id)))
	}
	w.shot("blotter-fills")
	after := w.holding("EU-LEAD", "SAP")
	if want := eu.qty.Sub(filled); !after.qty.Equal(want) {
		t.Errorf("EU-LEAD holds %s SAP after the fills, want %s (%s − %s)", after.qty, want, eu.qty, filled)
	}
	if want := eu.cash.Add(filled.Mul(avg)).Round(2); !after.cash.Equal(want) {
		t.Errorf("EU-LEAD's cash is %s after the fills, want %s (%s + %s × %s)", after.cash, want, eu.cash, filled, avg)
	}

	// 7. The trader publishes KO's prices: 63 activates the stop, 66 is the high, 62.7 (66 × 0.95) fires it.
	for _, p := range []string{"63", "66", "65", "62.7"} {
		w.step("publish KO at "+p,
			chromedp.Navigate(base+"/prices"),
			chromedp.WaitVisible(chromedp.CSS(`#price-entry input[name=symbol]`)),
			chromedp.SendKeys(chromedp.CSS(`#price-entry input[name=symbol]`), "KO"),
			chromedp.SendKeys(chromedp.CSS(`#price-entry input[name=price]`), p),
			chromedp.Click(chromedp.CSS(`#price-entry button[type=submit]`)),
		)
		if got := w.until(".flash", func(s string) bool { return s != "" }); got != "Published KO at "+p+"." {
			t.Fatalf("after publishing KO at %s the page says %q", p, got)
		}
	}
	for deadline := time.Now().Add(browserStepLimit); ; time.Sleep(200 * time.Millisecond) {
		w.step("open the conditions", chromedp.Navigate(base+"/conditions"), chromedp.WaitVisible(chromedp.CSS(cond)))
		if w.eval(`document.querySelector('`+cond+`').dataset.state`) == "triggered" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the trailing stop never fired: %q", w.text(cond))
		}
	}
	w.contains(cond, "triggered", "at 62.70", "order #")
	w.shot("conditions")
	fired := regexp.MustCompile(`order #(\d+)`).FindStringSubmatch(w.text(cond))[1]
	w.step("open the blotter", chromedp.Navigate(base+"/blotter?state=all"), chromedp.WaitVisible(chromedp.CSS("#orders")))
	r := w.orders().find(t, "FAM-01", "KO")
	if r.id != fired || r.side != "sell" || !r.qty.Equal(koQty) {
		t.Errorf("the blotter shows %+v for the trailing stop's order %s; want a sale of all %s KO", r, fired, koQty)
	}
}

// deskWalk is one browser tab walking the desk, with the steps a person takes
// and the reads of what the page shows.
type deskWalk struct {
	t     *testing.T
	b     context.Context
	base  string
	shots string // where screenshots go; empty: none
}

func (w *deskWalk) step(what string, actions ...chromedp.Action[chromedp.Void]) {
	w.t.Helper()
	browsertest.Step(w.t, w.b, what, actions...)
}

func (w *deskWalk) text(sel string) string {
	w.t.Helper()
	return browsertest.Text(w.t, w.b, sel)
}

// contains fails the test unless the text of sel has every one of want.
func (w *deskWalk) contains(sel string, want ...string) {
	w.t.Helper()
	got := w.text(sel)
	for _, s := range want {
		if !strings.Contains(got, s) {
			w.t.Errorf("%s lacks %q: %q", sel, s, got)
		}
	}
}

// eval runs a JavaScript expression that yields a string.
func (w *deskWalk) eval(js string) string {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(w.b, browserStepLimit)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
	if err != nil {
		w.t.Fatalf("eval %s: %v", js, err)
	}
	return s
}

func (w *deskWalk) count(sel string) int {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(w.b, browserStepLimit)
	defer cancel()
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](fmt.Sprintf(`document.querySelectorAll(%q).length`, sel)))
	if err != nil {
		w.t.Fatalf("count %s: %v", sel, err)
	}
	return n
}

// number reads a number as the page formats it (thousands separated).
func (w *deskWalk) number(sel string) decimal.Decimal {
	w.t.Helper()
	s := w.text(sel)
	d, err := decimal.NewFromString(strings.ReplaceAll(s, ",", ""))
	if err != nil {
		w.t.Fatalf("%s shows %q, not a number", sel, s)
	}
	return d
}

func (w *deskWalk) signIn(name string) {
	w.t.Helper()
	w.step("sign in as "+name,
		chromedp.Navigate(w.base+"/signin"),
		chromedp.WaitVisible(chromedp.CSS("#name")),
		chromedp.SendKeys(chromedp.CSS("#name"), name),
		chromedp.SendKeys(chromedp.CSS("#password"), db.DemoPassword),
		chromedp.Click(chromedp.CSS(`form[action="/signin"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="user-name"]`)),
	)
	if got := w.text(`[data-testid="user-name"]`); got != name {
		w.t.Fatalf("signed in as %q, want %s", got, name)
	}
}

func (w *deskWalk) signOut() {
	w.t.Helper()
	w.step("sign out", chromedp.Click(chromedp.CSS(`form[action="/signout"] button`)), chromedp.WaitVisible(chromedp.CSS("#name")))
}

// upload imports file as kind on the Uploads page and checks the flash.
func (w *deskWalk) upload(kind, file, flash string) {
	w.t.Helper()
	w.step("upload "+kind,
		chromedp.Navigate(w.base+"/admin/uploads"),
		chromedp.WaitVisible(chromedp.CSS("#kind")),
		chromedp.SetValue(chromedp.CSS("#kind"), kind),
		chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{file}),
		chromedp.Click(chromedp.CSS(`form[action="/admin/uploads"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(".flash")),
	)
	if got := w.text(".flash"); got != flash {
		w.t.Fatalf("after uploading %s the page says %q, want %q", kind, got, flash)
	}
}

// bulk ticks the orders ids on a freshly opened blotter, chooses broker
// (unless empty), presses the action's button and returns the flash. The ticks and the press are
// one script: the live blotter may swap its table (and the ticks) at any time.
func (w *deskWalk) bulk(action, broker string, ids ...string) string {
	w.t.Helper()
	js := fmt.Sprintf(`(() => { const f = document.querySelector('form[action="/blotter/orders"]');
		for (const id of [%s]) f.querySelector('tr[data-order="' + id + '"] input[name=id]').checked = true;
		if (%q) f.querySelector('select[name=broker]').value = %q;
		f.querySelector('button[name=action][value=%s]').click(); return 'sent'; })()`, strings.Join(ids, ", "), broker, broker, action)
	w.step("open the blotter", chromedp.Navigate(w.base+"/blotter?state=all"), chromedp.WaitVisible(chromedp.CSS("#orders")))
	w.eval(js)
	return w.until(".flash", func(s string) bool { return s != "" }) // the blotter opened without one
}

// positionQty is the quantity of symbol in the open portfolio page's positions.
func (w *deskWalk) positionQty(symbol string) decimal.Decimal {
	w.t.Helper()
	s := w.eval(fmt.Sprintf(`[...document.querySelectorAll('#positions tbody tr')].find(tr => tr.cells[0].textContent.trim() === %q).cells[2].textContent`, symbol))
	d, err := decimal.NewFromString(strings.ReplaceAll(strings.TrimSpace(s), ",", ""))
	if err != nil {
		w.t.Fatalf("%s's quantity shows %q", symbol, s)
	}
	return d
}

// deskHolding is a position and its portfolio's cash as the portfolio page shows them.
type deskHolding struct{ qty, cash decimal.Decimal }

func (w *deskWalk) holding(pf, symbol string) deskHolding {
	w.t.Helper()
	w.step("open "+pf, chromedp.Navigate(w.base+"/portfolios/"+pf), chromedp.WaitVisible(chromedp.CSS("#positions")))
	return deskHolding{qty: w.positionQty(symbol), cash: w.number(".cards .card:nth-child(3) .value")}
}

// deskOrder is one row of the blotter's orders as shown.
type deskOrder struct {
	id, portfolio, side, symbol, status, proposer string
	qty                                           decimal.Decimal
}

type deskOrders []deskOrder

// orders reads the open blotter's order rows.
func (w *deskWalk) orders() deskOrders {
	w.t.Helper()
	js := `[...document.querySelectorAll('#orders tbody tr')].map(tr => [tr.dataset.order,
		...[4, 5, 6, 7, 9, 14].map(i => tr.cells[i-1].textContent.trim())].join('|')).join('\n')`
	var out deskOrders
	for _, line := range strings.Split(w.eval(js), "\n") {
		f := strings.Split(line, "|")
		if len(f) != 7 {
			continue
		}
		q, err := decimal.NewFromString(strings.ReplaceAll(f[3], ",", ""))
		if err != nil {
			w.t.Fatalf("blotter row %q: quantity %v", line, err)
		}
		out = append(out, deskOrder{id: f[0], portfolio: f[1], side: f[2], qty: q, symbol: f[4], status: f[5], proposer: f[6]})
	}
	return out
}

func (rows deskOrders) find(t *testing.T, pf, symbol string) deskOrder {
	t.Helper()
	for _, o := range rows {
		if o.portfolio == pf && o.symbol == symbol {
			return o
		}
	}
	t.Fatalf("no %s %s order on the blotter: %+v", pf, symbol, rows)
	return deskOrder{}
}

// until reads sel on the open page until ok accepts its text, and returns
// it (a guard of a minute, not a speed assertion). Each read is short, so a
// navigation under way only delays it.
func (w *deskWalk) until(sel string, ok func(string) bool) string {
	w.t.Helper()
	last := ""
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		ctx, cancel := context.WithTimeout(w.b, 2*time.Second)
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		cancel()
		if err == nil { // an error is the page changing under the read: read again
			if last = strings.TrimSpace(s); ok(last) {
				return last
			}
		}
	}
	w.t.Fatalf("%s never showed what was awaited; last %q", sel, last)
	return ""
}

// watch reads sel on the open page until it shows final, returning every
// text seen on the way.
func (w *deskWalk) watch(sel, final string) map[string]bool {
	w.t.Helper()
	seen := map[string]bool{}
	w.until(sel, func(s string) bool { seen[s] = true; return s == final })
	return seen
}

// shot saves the window as name.png when screenshots were asked for.
func (w *deskWalk) shot(name string) {
	w.t.Helper()
	if w.shots == "" {
		return
	}
	ctx, cancel := context.WithTimeout(w.b, browserStepLimit)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		w.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(w.shots, name+".png"), png, 0o644); err != nil {
		w.t.Fatal(err)
	}
}

// screenshotDir is $BALLAST_SCREENSHOTS, taken from the repository root when
// relative; empty when unset.
func screenshotDir(t *testing.T) string {
	dir := os.Getenv("BALLAST_SCREENSHOTS")
	if dir == "" || filepath.IsAbs(dir) {
		return dir
	}
	root, err := filepath.Abs(filepath.Join("..", "..")) // tests run in cmd/ballast
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(root, dir)
}
