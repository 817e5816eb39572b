package db

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkImportPrices100k imports a 100,000-row price file (2,000 symbols ×
// 50 days) into a fresh database per iteration; only the price import is timed.
func BenchmarkImportPrices100k(b *testing.B) {
	const symbols, days = 2000, 50
	var sec, px bytes.Buffer
	sec.WriteString("symbol,name,issuer,sector,country,currency,asset_class,lot_size,adv,shares_outstanding\n")
	for i := 0; i < symbols; i++ {
		fmt.Fprintf(&sec, "S%05d,Security %d,Issuer %d,Tech,US,USD,equity,1,1000,1000000\n", i, i, i)
	}
	px.WriteString("symbol,price,as_of\n")
	start := time.Date(2026, 1, 1, 16, 30, 0, 0, time.UTC)
	for day := 0; day < days; day++ {
		asOf := start.AddDate(0, 0, day).Format(time.RFC3339)
		for i := 0; i < symbols; i++ {
			fmt.Fprintf(&px, "S%05d,%d.%02d,%s\n", i, 10+i%90, day, asOf)
		}
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		b.StopTimer()
		d, err := Open(ctx, filepath.Join(b.TempDir(), fmt.Sprintf("bench%d.db", n)))
		if err != nil {
			b.Fatal(err)
		}
		d.SetClock(func() time.Time { return time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC) })
		if _, err := d.ImportCSV(ctx, ImportSecurities, bytes.NewReader(sec.Bytes())); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		res, err := d.ImportCSV(ctx, ImportPrices, bytes.NewReader(px.Bytes()))
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if res.Added != symbols*days {
			b.Fatalf("added %d, want %d", res.Added, symbols*days)
		}
		d.Close()
		b.StartTimer()
	}
}
