package web

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/ballast-oms/ballast/portfolio"
	"github.com/ballast-oms/ballast/web/views"
)

// oddSymbol is a real kind of symbol: a share class after a slash.
const oddSymbol = "BF/B"

// addOddPortfolio adds a portfolio with code holding oddSymbol, following no
// model, to the fake store.
func addOddPortfolio(t *testing.T, la *liveApp, code string) {
	t.Helper()
	f := la.store
	f.mu.Lock()
	defer f.mu.Unlock()
	f.initModels()
	f.secs = append(f.secs, portfolio.Security{Symbol: oddSymbol, Name: "Brown-Forman B", Issuer: "Brown-Forman", Currency: "USD", LotSize: dec("1")})
	f.prices[oddSymbol] = portfolio.Price{Symbol: oddSymbol, Value: dec("50")}
	f.holdings = append(f.holdings, portfolio.Holdings{
		Portfolio: portfolio.Portfolio{Code: code, Name: "Odd Fund", BaseCurrency: "USD", Cash: dec("500")},
		Positions: []portfolio.Position{{Portfolio: code, Symbol: oddSymbol, Quantity: dec("10"), AvgCost: dec("40")}},
	})
	la.prices.known[oddSymbol] = true
}

// page is a fetched HTML page: its main part, or a fragment.
type page struct {
	t    *testing.T
	what string
	doc  *html.Node
	body string
}

// open gets path, wants 200 and parses the page.
func open(t *testing.T, la *liveApp, c *http.Client, what, path string) page {
	t.Helper()
	res := la.get(c, path)
	wantStatus(t, what+" ("+path+")", res, http.StatusOK)
	doc, err := html.Parse(strings.NewReader(res.body))
	if err != nil {
		t.Fatal(err)
	}
	if main := find(doc, func(n *html.Node) bool { return n.Data == "main" }); main != nil {
		doc = main // not the navigation bar or the sign-out form
	}
	return page{t: t, what: what, doc: doc, body: res.body}
}

// link is the attribute key of the first tag element whose text is label
// ("" for any), failing the test when there is none.
func (p page) link(tag, label, key string) string {
	p.t.Helper()
	n := find(p.doc, func(n *html.Node) bool {
		return n.Data == tag && (label == "" || strings.TrimSpace(text(n)) == label) && attr(n, key) != ""
	})
	if n == nil {
		p.t.Fatalf("%s: no <%s %s> %q in:\n%s", p.what, tag, key, label, p.body)
	}
	return attr(n, key)
}

// heading is the text of the page's h1.
func (p page) heading() string {
	p.t.Helper()
	n := find(p.doc, func(n *html.Node) bool { return n.Data == "h1" })
	if n == nil {
		p.t.Fatalf("%s: no h1 in:\n%s", p.what, p.body)
	}
	return strings.Join(strings.Fields(text(n)), " ")
}

// wantHeading checks the page is about the portfolio code.
func (p page) wantHeading(code string) {
	p.t.Helper()
	if h := p.heading(); !strings.HasSuffix(h, code) {
		p.t.Errorf("%s: heading %q, want the portfolio %q", p.what, h, code)
	}
}

// formValues is the values of the inputs of the form n.
func formValues(n *html.Node) url.Values {
	v := url.Values{}
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "input" && attr(n, "name") != "" && attr(n, "type") != "checkbox" {
			v.Add(attr(n, "name"), attr(n, "value"))
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return v
}

func isConditionForm(n *html.Node) bool {
	return n.Data == "form" && attr(n, "class") == "condition-form"
}

// wantRedirect posts form to action and wants a 303 to want.
func wantRedirect(t *testing.T, la *liveApp, c *http.Client, what, action string, form url.Values, want string) string {
	t.Helper()
	res := la.postForm(c, action, form)
	wantStatus(t, what, res, http.StatusSeeOther)
	if loc := res.header.Get("Location"); loc != want {
		t.Fatalf("%s: redirect to %q, want %q", what, loc, want)
	}
	return res.header.Get("Location")
}

// TestPortfolioLinksEscapeNames follows the links the pages render for
// portfolio codes and symbols holding '/', '?', '#', '%' and spaces, as
// imports accept them: each reaches the page of that portfolio, and saving
// a form goes back to it.
func TestPortfolioLinksEscapeNames(t *testing.T) {
	for _, code := range []string{"UK/INC #1?x", "50% fund", "../GROWTH", "A+B&C=D;E"} {
		t.Run(code, func(t *testing.T) {
			la := newLiveApp(t)
			addOddPortfolio(t, la, code)
			pm := la.signedIn("pm")

			list := open(t, la, pm, "portfolio list", "/portfolios")
			detailURL := list.link("a", code, "href")
			detail := open(t, la, pm, "portfolio", detailURL)
			detail.wantHeading(code)
			if ev, err := url.Parse(detail.link("div", "", "sse-connect")); err != nil || ev.Path != "/events/prices" || ev.Query().Get("portfolio") != code {
				t.Errorf("price events %v, %v", ev, err)
			}
			panel := open(t, la, pm, "auto orders", detail.link("div", "", "hx-get"))
			if got := formValues(find(panel.doc, isConditionForm)); got.Get("portfolio") != code || got.Get("symbol") != oddSymbol {
				t.Errorf("auto orders panel form %v, want %s %s", got, code, oddSymbol)
			}

			// Drift without targets offers own targets; saving them goes back to drift.
			driftURL := detail.link("a", "Drift", "href")
			drift := open(t, la, pm, "drift", driftURL)
			drift.wantHeading(code)
			open(t, la, pm, "positions from drift", drift.link("a", "Positions", "href")).wantHeading(code)
			targets := open(t, la, pm, "targets", drift.link("a", "Edit targets", "href"))
			targets.wantHeading(code)
			open(t, la, pm, "drift from targets", targets.link("a", "Drift", "href")).wantHeading(code)
			action := targets.link("form", "", "action")
			back := wantRedirect(t, la, pm, "save targets", action, modelForm("ignored", oddSymbol+",60", "CASH,40"), driftURL)
			drift = open(t, la, pm, "drift after saving targets", back)
			drift.wantHeading(code)
			wantContains(t, "drift after saving targets", drift.body, "Saved 2 targets of "+html.EscapeString(code)+".", `data-testid="model">own targets<`)
			if reb, err := url.Parse(drift.link("a", "Rebalance", "href")); err != nil || reb.Path != "/rebalance" || reb.Query().Get("portfolio") != code {
				t.Errorf("rebalance link %v, %v", reb, err)
			}
			res := la.get(pm, drift.link("a", "Export CSV", "href"))
			wantStatus(t, "drift csv", res, http.StatusOK)
			if rows, err := csv.NewReader(strings.NewReader(res.body)).ReadAll(); err != nil || len(rows) < 2 || strings.TrimPrefix(rows[1][0], "'") != code {
				t.Errorf("drift csv %q, %v", rows, err)
			}
			drifts := open(t, la, pm, "drift list", "/drift")
			open(t, la, pm, "drift from the list", drifts.link("a", code, "href")).wantHeading(code)

			// Restrictions: a change goes back to the portfolio's page.
			rs := open(t, la, pm, "restrictions", drift.link("a", "Restrictions", "href"))
			rs.wantHeading(code)
			open(t, la, pm, "drift from restrictions", rs.link("a", "Drift", "href")).wantHeading(code)
			action = rs.link("form", "", "action")
			back = wantRedirect(t, la, pm, "add restriction", action, restrictionForm("add", oddSymbol, "do_not_buy", ""), action)
			open(t, la, pm, "restrictions after a change", back).wantHeading(code)

			// Auto orders: adding one and cancelling it go back to the portfolio.
			tr := la.signedIn("trader")
			add := find(panel.doc, isConditionForm)
			form := formValues(add)
			form.Set("kind", "stop_loss")
			form.Set("trigger_price", "40")
			back = wantRedirect(t, la, tr, "add auto order", attr(add, "action"), form, detailURL+"#auto-orders")
			open(t, la, tr, "portfolio after adding", back).wantHeading(code)
			conds := open(t, la, tr, "auto orders", "/conditions")
			open(t, la, tr, "portfolio from auto orders", conds.link("a", code, "href")).wantHeading(code)
			panel = open(t, la, tr, "auto orders panel", detail.link("div", "", "hx-get"))
			cancel := find(panel.doc, func(n *html.Node) bool { return n.Data == "form" && strings.HasSuffix(attr(n, "action"), "/cancel") })
			if cancel == nil {
				t.Fatalf("no cancel button in:\n%s", panel.body)
			}
			cf := formValues(cancel)
			back = wantRedirect(t, la, tr, "cancel auto order", attr(cancel, "action"), cf, cf.Get("back"))
			again := open(t, la, tr, "panel after cancelling", back)
			if got := formValues(find(again.doc, isConditionForm)); got.Get("portfolio") != code {
				t.Errorf("back on the panel of %q, want %q", got.Get("portfolio"), code)
			}
		})
	}
}

// TestPortfolioModelLinksEscapeNames: a model name with '/', '#' and '?'
// is linked from the models page and a following portfolio's drift, and
// saving it goes back to it.
func TestPortfolioModelLinksEscapeNames(t *testing.T) {
	const code, model = "UK/INC #1?x", "Core/UK #2?"
	la := newLiveApp(t)
	addOddPortfolio(t, la, code)
	la.store.mu.Lock()
	la.store.rb.models = append(la.store.rb.models, portfolio.Model{Name: model, Band: portfolio.AbsoluteBand(dec("1")),
		Targets: []portfolio.Target{{Symbol: oddSymbol, Weight: dec("60")}, {Symbol: portfolio.CashSymbol, Weight: dec("40")}}})
	la.store.rb.follows[code] = model
	la.store.mu.Unlock()
	pm := la.signedIn("pm")

	models := open(t, la, pm, "models", "/models")
	open(t, la, pm, "follower's drift", models.link("a", code, "href")).wantHeading(code)
	m := open(t, la, pm, "model", models.link("a", model, "href"))
	if h := m.heading(); h != "Model "+model {
		t.Errorf("model page %q", h)
	}
	drift := open(t, la, pm, "drift", views.PortfolioURL(code, "drift"))
	if got := drift.link("a", "Edit model", "href"); got != models.link("a", model, "href") {
		t.Errorf("drift links the model at %q, the models page at %q", got, models.link("a", model, "href"))
	}
	form := formValues(find(m.doc, func(n *html.Node) bool { return n.Data == "form" && attr(n, "id") == "model-form" }))
	form.Set("band", "1.5")
	back := wantRedirect(t, la, pm, "save model", m.link("form", "", "action"), form, models.link("a", model, "href"))
	if h := open(t, la, pm, "model after saving", back).heading(); h != "Model "+model {
		t.Errorf("model page after saving %q", h)
	}
}

// TestPortfolioURLs: each stored name is one escaped segment, and the
// router gives it back to the handler as stored.
func TestPortfolioURLs(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{views.PortfolioURL("GROWTH"), "/portfolios/GROWTH"},
		{views.PortfolioURL("UK/INC #1?x", "drift"), "/portfolios/UK%2FINC%20%231%3Fx/drift"},
		{views.PortfolioURL("50%", "drift.csv"), "/portfolios/50%25/drift.csv"},
		{views.ModelURL("a/b"), "/models/a%2Fb"},
		{views.SessionURL("SIM #2", "reset"), "/sessions/SIM%20%232/reset"},
		{views.RebalanceURL("UK/INC #1?x&y"), "/rebalance?portfolio=UK%2FINC+%231%3Fx%26y"},
		{views.PriceEventsURL("A B"), "/events/prices?portfolio=A+B"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
	la := newLiveApp(t)
	const odd = "UK/INC #1?x"
	addOddPortfolio(t, la, odd)
	token := la.addToken(1)
	for _, path := range []string{views.PortfolioURL(odd), views.PortfolioURL(odd, "positions")} {
		res := la.apiGet(token, "/api/v1"+path)
		wantStatus(t, "API "+path, res, http.StatusOK)
		wantContains(t, "API "+path, res.body, `":"UK/INC #1?x"`)
	}
	pm := la.signedIn("pm")
	for _, code := range []string{"UK/INC #1?", "50% fund", "%41", "a%2Fb"} {
		res := la.get(pm, views.PortfolioURL(code, "drift"))
		wantStatus(t, code, res, http.StatusNotFound)
		wantContains(t, code, res.body, "There is no portfolio "+html.EscapeString(`"`+code+`"`))
	}
}
