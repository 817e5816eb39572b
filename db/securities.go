package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/ballast-oms/ballast/portfolio"
	"github.com/shopspring/decimal"
)

const securityColumns = `symbol, name, issuer, sector, country, currency, asset_class,
	lot_size, adv, shares_outstanding, price_increment`

// Securities lists securities ordered by symbol. A non-empty filter keeps those
// whose symbol, name, issuer or sector contains it, ignoring case.
func (d *DB) Securities(ctx context.Context, filter string) ([]portfolio.Security, error) {
	q := `SELECT ` + securityColumns + ` FROM securities`
	var args []any
	if f := strings.TrimSpace(filter); f != "" {
		q += ` WHERE symbol LIKE ?1 ESCAPE '\' OR name LIKE ?1 ESCAPE '\'
			OR issuer LIKE ?1 ESCAPE '\' OR sector LIKE ?1 ESCAPE '\'`
		args = append(args, "%"+escapeLike(f)+"%")
	}
	q += ` ORDER BY symbol`
	rows, err := d.reader.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("db: securities: %w", err)
	}
	defer rows.Close()
	var out []portfolio.Security
	for rows.Next() {
		s, err := scanSecurity(rows)
		if err != nil {
			return nil, fmt.Errorf("db: securities: %w", err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: securities: %w", err)
	}
	return out, nil
}

// Security returns the security with symbol, or an error wrapping ErrNotFound.
func (d *DB) Security(ctx context.Context, symbol string) (portfolio.Security, error) {
	row := d.reader.QueryRowContext(ctx, `SELECT `+securityColumns+` FROM securities WHERE symbol = ?`, symbol)
	s, err := scanSecurity(row)
	if errors.Is(err, sql.ErrNoRows) {
		return s, fmt.Errorf("db: security %s: %w", symbol, ErrNotFound)
	}
	if err != nil {
		return s, fmt.Errorf("db: security %s: %w", symbol, err)
	}
	return s, nil
}

// LatestPrices returns the latest known price of each security, by symbol.
func (d *DB) LatestPrices(ctx context.Context) (map[string]portfolio.Price, error) {
	rows, err := d.reader.QueryContext(ctx, `SELECT symbol, price, as_of, source FROM prices`)
	if err != nil {
		return nil, fmt.Errorf("db: latest prices: %w", err)
	}
	defer rows.Close()
	out := map[string]portfolio.Price{}
	for rows.Next() {
		var p portfolio.Price
		var value, asOf string
		if err := rows.Scan(&p.Symbol, &value, &asOf, &p.Source); err != nil {
			return nil, fmt.Errorf("db: latest prices: %w", err)
		}
		if p.Value, err = parseDecimal(value); err != nil {
			return nil, fmt.Errorf("db: latest prices: %s: %w", p.Symbol, err)
		}
		if p.AsOf, err = parseTime(asOf); err != nil {
			return nil, fmt.Errorf("db: latest prices: %s: %w", p.Symbol, err)
		}
		out[p.Symbol] = p
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: latest prices: %w", err)
	}
	return out, nil
}

type scanner interface{ Scan(dest ...any) error }

func scanSecurity(r scanner) (portfolio.Security, error) {
	var s portfolio.Security
	var lot, adv, shares, tick string
	err := r.Scan(&s.Symbol, &s.Name, &s.Issuer, &s.Sector, &s.Country, &s.Currency,
		&s.AssetClass, &lot, &adv, &shares, &tick)
	if err != nil {
		return s, err
	}
	return s, parseDecimals(s.Symbol, []string{lot, adv, shares, tick},
		[]*decimal.Decimal{&s.LotSize, &s.ADV, &s.SharesOutstanding, &s.PriceIncrement})
}

// parseDecimal reads a stored decimal; the empty string is zero.
func parseDecimal(s string) (decimal.Decimal, error) {
	if s == "" {
		return decimal.Zero, nil
	}
	v, err := decimal.NewFromString(s)
	if err != nil {
		return decimal.Zero, fmt.Errorf("bad stored decimal %q: %w", s, err)
	}
	return v, nil
}

// parseDecimals parses each stored text into the matching destination.
func parseDecimals(key string, texts []string, dst []*decimal.Decimal) error {
	for i, t := range texts {
		v, err := parseDecimal(t)
		if err != nil {
			return fmt.Errorf("%s: %w", key, err)
		}
		*dst[i] = v
	}
	return nil
}

// escapeLike escapes LIKE's wildcards so a filter matches literally.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
