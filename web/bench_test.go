package web

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/ballast-oms/ballast/portfolio"
)

// bigDesk gives the fake store n securities, all held and priced by one portfolio.
func bigDesk(app *testApp, n int) {
	h := portfolio.Holdings{Portfolio: portfolio.Portfolio{Code: "BIG", Name: "Big Fund", BaseCurrency: "USD", Cash: dec("1234567.89")}}
	for i := range n {
		sym := fmt.Sprintf("S%04d", i)
		app.store.secs = append(app.store.secs, portfolio.Security{Symbol: sym, Name: "Security " + sym, Issuer: sym, Sector: "Tech", Currency: "USD", AssetClass: "equity", LotSize: dec("1")})
		app.store.prices[sym] = portfolio.Price{Symbol: sym, Value: dec(fmt.Sprintf("%d.37", 10+i%90))}
		h.Positions = append(h.Positions, portfolio.Position{Portfolio: "BIG", Symbol: sym, Quantity: dec(fmt.Sprintf("%d", 100+i)), AvgCost: dec("12.5")})
	}
	app.store.holdings = append(app.store.holdings, h)
}

// BenchmarkPortfolioPage renders a 500-position portfolio page end to end
// (session, role guard, valuation, weights, template) over loopback HTTP.
func BenchmarkPortfolioPage(b *testing.B) {
	app := newTestApp(b)
	bigDesk(app, 500)
	c := app.signedIn("pm")
	b.ResetTimer()
	for b.Loop() {
		res, err := c.Get(app.srv.URL + "/portfolios/BIG")
		if err != nil || res.StatusCode != http.StatusOK {
			b.Fatalf("status %v, err %v", res.StatusCode, err)
		}
		res.Body.Close()
	}
}

// BenchmarkSecurityFilterFragment is the live filter's htmx request over 500
// securities, measured in-process (no network).
func BenchmarkSecurityFilterFragment(b *testing.B) {
	app := newTestApp(b)
	bigDesk(app, 500)
	c := app.signedIn("pm")
	req, _ := http.NewRequest(http.MethodGet, app.srv.URL+"/securities?q=S00", nil)
	req.Header.Set("HX-Request", "true")
	for _, ck := range c.Jar.Cookies(req.URL) {
		req.AddCookie(ck)
	}
	h := app.srv.Config.Handler
	b.ResetTimer()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
	}
}
