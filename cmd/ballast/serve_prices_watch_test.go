package main

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/db"
	"github.com/ballast-oms/ballast/portfolio"
)

func TestNewerThanSeen(t *testing.T) {
	t0 := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	px := func(sym string, v int64, at time.Time) portfolio.Price {
		return portfolio.Price{Symbol: sym, Value: decimal.NewFromInt(v), AsOf: at}
	}
	seen := map[string]portfolio.Price{"AAA": px("AAA", 10, t0), "BBB": px("BBB", 20, t0)}
	hub := map[string]portfolio.Price{"BBB": px("BBB", 21, t0.Add(time.Minute))}
	last := func(s string) (portfolio.Price, bool) { p, ok := hub[s]; return p, ok }
	latest := map[string]portfolio.Price{
		"AAA": px("AAA", 11, t0.Add(time.Second)), // imported: newer than seen, hub has none
		"BBB": px("BBB", 21, t0.Add(time.Minute)), // the hub's own tick, stored: not again
		"CCC": px("CCC", 30, t0),                  // new symbol
	}
	got := newerThanSeen(latest, seen, last)
	if len(got) != 2 || got[0].Symbol != "AAA" || !got[0].Value.Equal(decimal.NewFromInt(11)) || got[1].Symbol != "CCC" {
		t.Fatalf("newerThanSeen = %+v, want AAA 11 and CCC 30", got)
	}
	if again := newerThanSeen(latest, seen, last); len(again) != 0 {
		t.Errorf("second look published again: %+v", again)
	}
}

// TestImportedPricesReachTheHub: a CSV price import into the served database
// (uploads page or the CLI) is published like a feed tick.
func TestImportedPricesReachTheHub(t *testing.T) {
	ctx := context.Background()
	d, err := db.Open(ctx, filepath.Join(t.TempDir(), "b.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if _, err := d.SeedDemo(ctx, "x"); err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	lp, err := startPrices(ctx, d, priceFlags{feed: "none"}, logger, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(lp.stop)
	sub := lp.Subscribe("test", 16)
	if _, err := d.ImportCSV(ctx, db.ImportPrices, strings.NewReader("symbol,price\nAAPL,123.45\n")); err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for {
		batch, err := sub.Next(wctx)
		if err != nil {
			t.Fatalf("no batch with the imported AAPL price: %v", err)
		}
		for _, p := range batch {
			if p.Symbol == "AAPL" && p.Value.Equal(decimal.RequireFromString("123.45")) {
				return
			}
		}
	}
}
