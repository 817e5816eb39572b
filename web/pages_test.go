package web

import (
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/ballast-oms/ballast/portfolio"
)

func TestPortfolioPageShowsPositionsAndWeights(t *testing.T) {
	app := newTestApp(t)
	res := app.get(app.signedIn("pm"), "/portfolios/GROWTH")
	wantStatus(t, "portfolio", res, http.StatusOK)
	// NAV = 1,000 + 2,050 + 3 + 1,000 cash = 4,053. Rounded on their own the
	// weights would add up to 99.99; the page shows weights that add up to 100.
	want := [][]string{
		{"AAA", "Alpha Corp", "10", "100.00", "1,000.00", "24.67", "90.00", "100.00"},
		{"BBB", "Beta Bank", "100", "20.50", "2,050.00", "50.58", "25.00", "-450.00"},
		{"CCC", "Gamma Energy", "1", "3.00", "3.00", "0.08", "2.00", "1.00"},
		{"CASH", "Cash (USD)", "", "", "1,000.00", "24.67", "", ""},
	}
	if got := tableRows(t, res.body, "positions", false); !reflect.DeepEqual(got, want) {
		t.Errorf("positions:\n got %q\nwant %q", got, want)
	}
	foot := [][]string{{"Total", "4,053.00", "100.00", "", "-349.00"}}
	if got := tableRows(t, res.body, "positions", true); !reflect.DeepEqual(got, foot) {
		t.Errorf("total row: got %q, want %q", got, foot)
	}
	wantContains(t, "portfolio", res.body, "Growth Fund", `data-testid="nav">4,053.00<`)
}

func TestPortfolioListValuesEveryPortfolio(t *testing.T) {
	app := newTestApp(t)
	res := app.get(app.signedIn("pm"), "/portfolios")
	wantStatus(t, "portfolios", res, http.StatusOK)
	want := [][]string{
		{"EMPTY", "Cash Only", "EUR", "5.00", "5.00", "100.00", "0"},
		{"GROWTH", "Growth Fund", "USD", "4,053.00", "1,000.00", "24.67", "3"},
	}
	if got := tableRows(t, res.body, "portfolios", false); !reflect.DeepEqual(got, want) {
		t.Errorf("portfolios:\n got %q\nwant %q", got, want)
	}
	wantContains(t, "portfolios", res.body, `href="/portfolios/GROWTH"`, `aria-current="page"`)
}

func TestEmptyStates(t *testing.T) {
	app := newTestApp(t)
	app.store.holdings = nil
	app.store.prices = map[string]portfolio.Price{}
	c := app.signedIn("pm")
	wantContains(t, "no portfolios", app.get(c, "/portfolios").body, "No portfolios yet.")
	wantContains(t, "no prices", app.get(c, "/prices").body, "No prices yet.")
	wantContains(t, "no match", app.get(c, "/securities?q=zzz").body, "No security matches")
}

func TestUnknownPortfolioIs404Page(t *testing.T) {
	app := newTestApp(t)
	c := app.signedIn("pm")
	res := app.get(c, "/portfolios/NOPE")
	wantStatus(t, "unknown portfolio", res, http.StatusNotFound)
	wantContains(t, "unknown portfolio", res.body, "There is no portfolio", "<html", "Sign out")
	res = app.get(c, "/no/such/page")
	wantStatus(t, "unknown page", res, http.StatusNotFound)
	wantContains(t, "unknown page", res.body, "Not found", "Sign out")
}

func TestSecurityNamesAreEscaped(t *testing.T) {
	app := newTestApp(t)
	app.store.secs = append(app.store.secs, portfolio.Security{
		Symbol: "XSS", Name: "<script>alert(1)</script>", Issuer: "Evil & Co", Sector: "Tech",
		Currency: "USD", AssetClass: "equity", LotSize: dec("1"),
	})
	c := app.signedIn("pm")
	res := app.get(c, "/securities")
	wantStatus(t, "securities", res, http.StatusOK)
	if strings.Contains(res.body, "<script>alert(1)") {
		t.Error("the security name reached the page unescaped")
	}
	wantContains(t, "securities", res.body, "&lt;script&gt;alert(1)&lt;/script&gt;", "Evil &amp; Co")

	res = app.get(c, `/securities?q="><script>alert(2)</script>`)
	if strings.Contains(res.body, "<script>alert(2)") {
		t.Error("the filter was reflected unescaped")
	}
}

func TestSecurityFilterFragment(t *testing.T) {
	app := newTestApp(t)
	c := app.signedIn("pm")
	req := app.request(http.MethodGet, "/securities?q=bank", nil)
	req.Header.Set("HX-Request", "true")
	res := app.do(c, req)
	wantStatus(t, "fragment", res, http.StatusOK)
	if !strings.HasPrefix(strings.TrimSpace(res.body), `<tbody id="security-rows">`) || strings.Contains(res.body, "<html") {
		t.Fatalf("fragment is not just the table body:\n%s", res.body)
	}
	wantContains(t, "fragment", res.body, "BBB", "Beta Bank")
	if strings.Contains(res.body, "AAA") {
		t.Error("the filter let through a security that does not match")
	}
	if !strings.Contains(strings.Join(res.header.Values("Vary"), ","), "HX-Request") {
		t.Error("response does not vary on HX-Request")
	}

	full := app.get(c, "/securities?q=bank")
	wantContains(t, "full page", full.body, "<html", `hx-get="/securities"`, `hx-trigger="input changed delay:200ms, search"`, `value="bank"`)
}

func TestPricesPage(t *testing.T) {
	app := newTestApp(t)
	res := app.get(app.signedIn("pm"), "/prices")
	wantStatus(t, "prices", res, http.StatusOK)
	rows := tableRows(t, res.body, "prices", false)
	if len(rows) != 3 || rows[1][0] != "BBB" || rows[1][3] != "20.50" || rows[1][4] != "2026-11-20 16:00" {
		t.Errorf("prices rows: %q", rows)
	}
}

func TestHealthz(t *testing.T) {
	app := newTestApp(t)
	res := app.get(app.client(), "/healthz")
	wantStatus(t, "healthz", res, http.StatusOK)
	if strings.TrimSpace(res.body) != "ok" {
		t.Errorf("healthz body %q", res.body)
	}
	wantStatus(t, "HEAD healthz", app.do(app.client(), app.request(http.MethodHead, "/healthz", nil)), http.StatusOK)
	app.store.pingErr = errNotFound
	wantStatus(t, "healthz down", app.get(app.client(), "/healthz"), http.StatusServiceUnavailable)
}

func TestStaticAssetsAreHashedAndCached(t *testing.T) {
	app := newTestApp(t)
	page := app.get(app.client(), "/signin")
	wantStatus(t, "signin", page, http.StatusOK)
	i := strings.Index(page.body, `href="/static/css/ballast.`)
	if i < 0 {
		t.Fatalf("no hashed stylesheet link:\n%s", page.body)
	}
	href := page.body[i+len(`href="`):]
	href = href[:strings.IndexByte(href, '"')]
	res := app.get(app.client(), href)
	wantStatus(t, href, res, http.StatusOK)
	if cc := res.header.Get("Cache-Control"); !strings.Contains(cc, "immutable") {
		t.Errorf("Cache-Control %q", cc)
	}
	if ct := res.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/css") {
		t.Errorf("Content-Type %q", ct)
	}
	wantStatus(t, "unhashed", app.get(app.client(), "/static/css/ballast.css"), http.StatusNotFound)
	wantContains(t, "signin", page.body, `src="/static/vendor/htmx-2.0.11.`)
}
