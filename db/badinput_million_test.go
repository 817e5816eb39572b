package db

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"
)

// The million-row file of the bad-input catalogue. A full million-row import
// takes seconds without the race detector and minutes with it, so it runs as
// BenchmarkImportMillionRows; CI runs the shape at a smaller size
// (TestBadInputManyRows in badinput_test.go).

// writePricesFile writes a prices file of symbols × days rows into dir and
// returns its path; it never holds the file in memory.
func writePricesFile(tb testing.TB, dir string, symbols, days int) string {
	tb.Helper()
	p := filepath.Join(dir, "prices.csv")
	f, err := os.Create(p)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "symbol,price,as_of")
	start := time.Date(2024, 1, 1, 16, 30, 0, 0, time.UTC)
	for day := 0; day < days; day++ {
		asOf := start.AddDate(0, 0, day).Format(time.DateOnly)
		for i := 0; i < symbols; i++ {
			fmt.Fprintf(w, "S%05d,%d.%02d,%s\n", i, 10+i%90, day%100, asOf)
		}
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	return p
}

// importSecuritiesFor stores the symbols S00000… the prices file refers to.
func importSecuritiesFor(tb testing.TB, d *DB, symbols int) {
	tb.Helper()
	var b []byte
	b = append(b, "symbol,name,issuer,sector,country,currency,asset_class,lot_size,adv,shares_outstanding\n"...)
	for i := 0; i < symbols; i++ {
		b = fmt.Appendf(b, "S%05d,Security %d,Issuer %d,Tech,US,USD,equity,1,1000,1000000\n", i, i, i)
	}
	if _, err := d.ImportCSV(context.Background(), ImportSecurities, bytesReader(b)); err != nil {
		tb.Fatal(err)
	}
}

// heapPeak samples the live heap until stop is called and returns its peak.
func heapPeak() (stop func() uint64) {
	var (
		mu   sync.Mutex
		peak uint64
		done = make(chan struct{})
		wg   sync.WaitGroup
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			mu.Lock()
			peak = max(peak, m.HeapInuse)
			mu.Unlock()
			select {
			case <-done:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	return func() uint64 {
		close(done)
		wg.Wait()
		return peak
	}
}

// BenchmarkImportMillionRows imports a 1,000,000-row price file (2,000
// symbols × 500 days, 29 MB) from disk into a fresh database per iteration;
// only the price import is timed. It reports the peak heap in use (MB).
func BenchmarkImportMillionRows(b *testing.B) {
	const symbols, days = 2000, 500
	path := writePricesFile(b, b.TempDir(), symbols, days)
	ctx := context.Background()
	var peakMB float64
	b.ReportAllocs()
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		b.StopTimer()
		d, err := Open(ctx, filepath.Join(b.TempDir(), fmt.Sprintf("million%d.db", n)))
		if err != nil {
			b.Fatal(err)
		}
		d.SetClock(func() time.Time { return time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC) })
		importSecuritiesFor(b, d, symbols)
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		stop := heapPeak()
		b.StartTimer()
		res, err := d.ImportCSV(ctx, ImportPrices, f)
		b.StopTimer()
		peakMB = max(peakMB, float64(stop())/(1<<20))
		f.Close()
		if err != nil || res.Added != symbols*days {
			b.Fatalf("million rows: %+v, %v", res, err)
		}
		d.Close()
		b.StartTimer()
	}
	b.ReportMetric(peakMB, "peak-heap-MB")
}
