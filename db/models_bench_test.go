package db

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/ballast-oms/ballast/rebalance"
)

// BenchmarkRebalanceInputs loads 2,000 portfolios of 100 positions for planning.
func BenchmarkRebalanceInputs(b *testing.B) {
	d, err := Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	if err := d.LoadBook(context.Background(), rebalance.Synthetic(2000, 100, 1)); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		inputs, _, err := d.RebalanceInputs(context.Background(), nil)
		if err != nil || len(inputs) != 2000 {
			b.Fatal(len(inputs), err)
		}
	}
}
