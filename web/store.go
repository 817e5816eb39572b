package web

import (
	"context"
	"io"

	"github.com/ballast-oms/ballast/portfolio"
	"github.com/ballast-oms/ballast/user"
)

// Store is everything the web layer needs from storage. The db package's *DB
// satisfies it; a not-found error is recognised through Config.IsNotFound.
type Store interface {
	Ping(ctx context.Context) error
	Securities(ctx context.Context, filter string) ([]portfolio.Security, error)
	LatestPrices(ctx context.Context) (map[string]portfolio.Price, error)
	Holdings(ctx context.Context, code string) (portfolio.Holdings, error)
	AllHoldings(ctx context.Context) ([]portfolio.Holdings, error)
	// AllTotals values every portfolio at the latest prices, totals only,
	// cash and positions read at one moment (the portfolio list).
	AllTotals(ctx context.Context) ([]portfolio.Totals, error)
	CreateUser(ctx context.Context, u user.User) (user.User, error)
	UserByName(ctx context.Context, name string) (user.User, error)
	UserByID(ctx context.Context, id int64) (user.User, error)
	Users(ctx context.Context) ([]user.User, error)
	AddAPIToken(ctx context.Context, userID int64, tokenHash, label string) error
	UserByTokenHash(ctx context.Context, tokenHash string) (user.User, error)
	ImportCSV(ctx context.Context, kind string, r io.Reader) (portfolio.ImportResult, error)
	RebalanceStore
}
