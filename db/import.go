package db

import (
	"context"
	"fmt"
	"io"

	"github.com/ballast-oms/ballast/portfolio"
)

// ImportCSV imports a CSV file of kind "securities", "portfolios", "holdings" or "prices".
func (d *DB) ImportCSV(ctx context.Context, kind string, r io.Reader) (portfolio.ImportResult, error) {
	return portfolio.ImportResult{}, fmt.Errorf("db: import %s: not implemented yet", kind)
}
