package db

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/shopspring/decimal"
)

// DemoPassword is the password of every demo user.
const DemoPassword = "ballast-demo"

// DemoDesk says what SeedDemo wrote.
type DemoDesk struct {
	Securities int
	Portfolios int
	Positions  int
	Users      []string // names, each with the role of the same name (trader2 is a trader)
}

// Empty reports whether the database holds no securities, portfolios or users.
func (d *DB) Empty(ctx context.Context) (bool, error) {
	var n int
	err := d.reader.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM securities)
		+ (SELECT count(*) FROM portfolios) + (SELECT count(*) FROM users)`).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("db: empty: %w", err)
	}
	return n == 0, nil
}

// SeedDemo fills an empty database with the demo desk in one transaction: 53
// securities with demo prices, six portfolios from about 2 to 500 million with
// cash and positions, and the users pm, trader, trader2, compliance and admin,
// all with passwordHash (the hash of DemoPassword; hashed once by the caller).
// The data is fixed, so every seed is identical apart from the price time.
func (d *DB) SeedDemo(ctx context.Context, passwordHash string) (DemoDesk, error) {
	var desk DemoDesk
	prices := make(map[string]decimal.Decimal, len(demoSecurities))
	lots := make(map[string]decimal.Decimal, len(demoSecurities))
	for _, s := range demoSecurities {
		prices[s.symbol] = decimal.RequireFromString(s.price)
		lots[s.symbol] = decimal.RequireFromString(s.lot)
	}
	now := formatTime(d.now())
	err := d.inTx(ctx, func(tx *sql.Tx) error {
		if err := seedSecurities(ctx, tx, now); err != nil {
			return err
		}
		for _, p := range demoPortfolios {
			n, err := seedPortfolio(ctx, tx, p, prices, lots)
			if err != nil {
				return fmt.Errorf("portfolio %s: %w", p.code, err)
			}
			desk.Positions += n
		}
		if err := seedModels(ctx, tx); err != nil {
			return err
		}
		if err := seedDemoRules(ctx, tx, now); err != nil {
			return err
		}
		return seedUsers(ctx, tx, passwordHash, now)
	})
	if err != nil {
		return DemoDesk{}, fmt.Errorf("db: seed demo: %w", err)
	}
	desk.Securities, desk.Portfolios = len(demoSecurities), len(demoPortfolios)
	for _, u := range demoUsers {
		desk.Users = append(desk.Users, u.name)
	}
	return desk, nil
}

func seedSecurities(ctx context.Context, tx *sql.Tx, now string) error {
	for _, s := range demoSecurities {
		if _, err := tx.ExecContext(ctx, `INSERT INTO securities (symbol, name, issuer, sector, country, currency,
			asset_class, lot_size, adv, shares_outstanding) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			s.symbol, s.name, s.issuer, s.sector, s.country, s.currency, s.class, s.lot, s.adv, s.shares); err != nil {
			return fmt.Errorf("security %s: %w", s.symbol, err)
		}
		for _, table := range []string{"prices", "price_history"} {
			if _, err := tx.ExecContext(ctx, `INSERT INTO `+table+` (symbol, price, as_of, source) VALUES (?, ?, ?, 'demo')`,
				s.symbol, s.price, now); err != nil {
				return fmt.Errorf("price %s: %w", s.symbol, err)
			}
		}
	}
	return nil
}

// seedPortfolio writes one demo portfolio. Weights fall linearly from the first
// symbol to the last (2n down to n+1); quantities are whole lots; average costs
// sit between 80% and 120% of the price; cash takes up the rounding so the NAV
// is the target.
func seedPortfolio(ctx context.Context, tx *sql.Tx, p demoPortfolio, prices, lots map[string]decimal.Decimal) (int, error) {
	nav := decimal.NewFromInt(p.nav)
	invested := nav.Mul(decimal.NewFromInt(100 - p.cashPct)).Div(decimal.NewFromInt(100))
	n := int64(len(p.symbols))
	total := decimal.NewFromInt((2*n + n + 1) * n / 2) // sum of 2n down to n+1
	cash := nav
	type pos struct{ symbol, qty, cost string }
	var positions []pos
	for i, sym := range p.symbols {
		price, lot := prices[sym], lots[sym]
		weight := decimal.NewFromInt(2*n - int64(i)).Div(total)
		qty := invested.Mul(weight).Div(price).Div(lot).Floor().Mul(lot)
		if !qty.IsPositive() {
			qty = lot
		}
		factor := decimal.New(80+int64((i*7+len(p.code))%9)*5, -2)
		cost := price.Mul(factor).Round(2)
		cash = cash.Sub(qty.Mul(price))
		positions = append(positions, pos{sym, qty.String(), cost.String()})
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO portfolios (code, name, base_currency, cash, model, tags, default_broker)
		VALUES (?, ?, ?, ?, '', ?, 'SIM')`, p.code, p.name, p.currency, cash.Round(2).String(), p.tags); err != nil {
		return 0, err
	}
	for _, ps := range positions {
		if _, err := tx.ExecContext(ctx, `INSERT INTO positions (portfolio, symbol, quantity, avg_cost) VALUES (?, ?, ?, ?)`,
			p.code, ps.symbol, ps.qty, ps.cost); err != nil {
			return 0, fmt.Errorf("position %s: %w", ps.symbol, err)
		}
	}
	return len(positions), nil
}

func seedUsers(ctx context.Context, tx *sql.Tx, passwordHash, now string) error {
	for _, u := range demoUsers {
		res, err := tx.ExecContext(ctx, `INSERT INTO users (name, password_hash, created_at) VALUES (?, ?, ?)`,
			u.name, passwordHash, now)
		if err != nil {
			return fmt.Errorf("user %s: %w", u.name, err)
		}
		id, err := res.LastInsertId()
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO user_roles (user_id, role) VALUES (?, ?)`, id, u.role); err != nil {
			return fmt.Errorf("user %s: %w", u.name, err)
		}
	}
	return nil
}
