package web

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/ballast-oms/ballast/order"
	"github.com/ballast-oms/ballast/web/views"
)

// seedOrders writes n orders (a mix of statuses, portfolios and symbols),
// each with an audit event, straight into the SQLite store.
func seedOrders(b *testing.B, app *orderApp, n int) {
	b.Helper()
	tx, err := app.db.Writer().Begin()
	if err != nil {
		b.Fatal(err)
	}
	statuses := []order.Status{order.Ready, order.Approved, order.Filled, order.Cancelled, order.PartiallyFilled, order.Proposed}
	for i := range n {
		st := statuses[i%len(statuses)]
		pf, sym := []string{"GROWTH", "INCOME"}[i%2], []string{"AAA", "BBB"}[i%3%2]
		res, err := tx.Exec(`INSERT INTO orders (portfolio, symbol, side, quantity, order_type, limit_price, time_in_force, proposed_by, status,
			filled_qty, avg_px, created_at, expires_at) VALUES (?, ?, 'buy', ?, 'limit', '20.5', 'day', 'pm', ?, ?, '20.4', ?, '2026-11-20T16:30:00.000000Z')`,
			pf, sym, fmt.Sprint(100+i%900), string(st), fmt.Sprint(i%100), fmt.Sprintf("2026-11-20T08:%02d:%02d.000000Z", i/60%60, i%60))
		if err != nil {
			b.Fatal(err)
		}
		id, _ := res.LastInsertId()
		if _, err := tx.Exec(`INSERT INTO audit_events (at, actor, action, order_id, portfolio, to_status) VALUES ('2026-11-20T08:00:00.000000Z', 'pm', 'propose', ?, ?, ?)`,
			id, pf, string(st)); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkBlotter10k serves the whole blotter page (session, role guard,
// order and block queries, template) for a trader over loopback HTTP with
// 10,000 orders in the book, all matching the filter: the page shows the
// newest 500 and the count of all.
func BenchmarkBlotter10k(b *testing.B) {
	app := newOrderApp(b)
	seedOrders(b, app, 10000)
	c := app.signedIn("trader")
	b.ResetTimer()
	for b.Loop() {
		res, err := c.Get(app.srv.URL + "/blotter?state=all")
		if err != nil || res.StatusCode != http.StatusOK {
			b.Fatalf("status %v, err %v", res.StatusCode, err)
		}
		res.Body.Close()
	}
}

// BenchmarkBlotterFragment10k is the live refresh (htmx fragment) of the
// same blotter, in-process.
func BenchmarkBlotterFragment10k(b *testing.B) {
	app := newOrderApp(b)
	seedOrders(b, app, 10000)
	c := app.signedIn("trader")
	req, _ := http.NewRequest(http.MethodGet, app.srv.URL+"/blotter?state=all", nil)
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

// BenchmarkBlotterAllRows10k reads all 10,000 orders in one query and
// renders every row: the cost of an unpaginated blotter.
func BenchmarkBlotterAllRows10k(b *testing.B) {
	app := newOrderApp(b)
	seedOrders(b, app, 10000)
	ctx := context.Background()
	var buf bytes.Buffer
	b.ResetTimer()
	for b.Loop() {
		lines, total, err := app.desk.store.Orders(ctx, order.Filter{Limit: 10000})
		if err != nil || len(lines) != 10000 {
			b.Fatalf("%d lines of %d, %v", len(lines), total, err)
		}
		v := views.BlotterView{Total: total, PageSize: 10000, Rows: make([]views.BlotterRow, len(lines)), CanTrade: true}
		for i, l := range lines {
			v.Rows[i] = views.BlotterRow{Line: l, CanApprove: true, CanCancel: true}
		}
		buf.Reset()
		if err := views.BlotterBody(v).Render(ctx, &buf); err != nil {
			b.Fatal(err)
		}
	}
}
