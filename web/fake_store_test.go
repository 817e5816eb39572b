package web

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/ballast-oms/ballast/portfolio"
	"github.com/ballast-oms/ballast/user"
	"github.com/shopspring/decimal"
)

// errNotFound is the fake store's not-found error.
var errNotFound = errors.New("not found")

// fakeStore is an in-memory Store for handler tests.
type fakeStore struct {
	mu       sync.Mutex
	pingErr  error
	secs     []portfolio.Security
	prices   map[string]portfolio.Price
	holdings []portfolio.Holdings
	users    []user.User
	tokens   map[string]int64 // token hash → user ID
	imports  []string         // kinds imported
	rb       fakeRebalance    // models and plan inputs (fake_rebalance_test.go)
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// newFakeStore returns a small desk: three securities, two portfolios, and the
// users pm, admin and norole (password testPassword).
func newFakeStore(hash string) *fakeStore {
	asOf := time.Date(2026, 11, 20, 16, 0, 0, 0, time.UTC)
	f := &fakeStore{
		secs: []portfolio.Security{
			{Symbol: "AAA", Name: "Alpha Corp", Issuer: "Alpha", Sector: "Tech", Country: "US", Currency: "USD", AssetClass: "equity", LotSize: dec("1"), ADV: dec("1000000")},
			{Symbol: "BBB", Name: "Beta Bank", Issuer: "Beta", Sector: "Financials", Country: "GB", Currency: "USD", AssetClass: "equity", LotSize: dec("100"), ADV: dec("50000")},
			{Symbol: "CCC", Name: "Gamma Energy", Issuer: "Gamma", Sector: "Energy", Country: "DE", Currency: "USD", AssetClass: "equity", LotSize: dec("1"), ADV: dec("2500")},
		},
		prices: map[string]portfolio.Price{
			"AAA": {Symbol: "AAA", Value: dec("100"), AsOf: asOf, Source: "csv"},
			"BBB": {Symbol: "BBB", Value: dec("20.5"), AsOf: asOf, Source: "csv"},
			"CCC": {Symbol: "CCC", Value: dec("3"), AsOf: asOf, Source: "csv"},
		},
		holdings: []portfolio.Holdings{
			{
				Portfolio: portfolio.Portfolio{Code: "GROWTH", Name: "Growth Fund", BaseCurrency: "USD", Cash: dec("1000")},
				Positions: []portfolio.Position{
					{Portfolio: "GROWTH", Symbol: "AAA", Quantity: dec("10"), AvgCost: dec("90")},
					{Portfolio: "GROWTH", Symbol: "BBB", Quantity: dec("100.000"), AvgCost: dec("25")},
					{Portfolio: "GROWTH", Symbol: "CCC", Quantity: dec("1"), AvgCost: dec("2")},
				},
			},
			{Portfolio: portfolio.Portfolio{Code: "EMPTY", Name: "Cash Only", BaseCurrency: "EUR", Cash: dec("5")}},
		},
		tokens: map[string]int64{},
	}
	f.users = []user.User{
		{ID: 1, Name: "pm", Roles: []user.Role{user.PM}, PasswordHash: hash},
		{ID: 2, Name: "admin", Roles: []user.Role{user.Admin}, PasswordHash: hash},
		{ID: 3, Name: "norole", PasswordHash: hash},
		{ID: 4, Name: "gone", Roles: []user.Role{user.PM}, PasswordHash: hash, Disabled: true},
	}
	return f
}

func (f *fakeStore) Ping(context.Context) error { return f.pingErr }

func (f *fakeStore) Securities(_ context.Context, filter string) ([]portfolio.Security, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []portfolio.Security
	q := strings.ToLower(filter)
	for _, s := range f.secs {
		hay := strings.ToLower(s.Symbol + " " + s.Name + " " + s.Issuer + " " + s.Sector)
		if strings.Contains(hay, q) {
			out = append(out, s)
		}
	}
	return out, nil
}

func (f *fakeStore) LatestPrices(context.Context) (map[string]portfolio.Price, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make(map[string]portfolio.Price, len(f.prices))
	for k, v := range f.prices {
		out[k] = v
	}
	return out, nil
}

func (f *fakeStore) Holdings(_ context.Context, code string) (portfolio.Holdings, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, h := range f.holdings {
		if h.Portfolio.Code == code {
			return h, nil
		}
	}
	return portfolio.Holdings{}, fmt.Errorf("fake: holdings %s: %w", code, errNotFound)
}

func (f *fakeStore) AllTotals(ctx context.Context) ([]portfolio.Totals, error) {
	all, _ := f.AllHoldings(ctx)
	latest, _ := f.LatestPrices(ctx)
	prices := make(map[string]decimal.Decimal, len(latest))
	for sym, p := range latest {
		prices[sym] = p.Value
	}
	out := make([]portfolio.Totals, len(all))
	for i, h := range all {
		out[i] = portfolio.TotalsOf(h, prices)
	}
	return out, nil
}

func (f *fakeStore) AllHoldings(context.Context) ([]portfolio.Holdings, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := append([]portfolio.Holdings(nil), f.holdings...)
	sort.Slice(out, func(i, j int) bool { return out[i].Portfolio.Code < out[j].Portfolio.Code })
	return out, nil
}

func (f *fakeStore) CreateUser(_ context.Context, u user.User) (user.User, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, have := range f.users {
		if have.Name == u.Name {
			return user.User{}, errors.New("fake: name taken")
		}
	}
	u.ID = int64(len(f.users) + 1)
	f.users = append(f.users, u)
	return u, nil
}

func (f *fakeStore) findUser(match func(user.User) bool) (user.User, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, u := range f.users {
		if match(u) {
			return u, nil
		}
	}
	return user.User{}, fmt.Errorf("fake: user: %w", errNotFound)
}

func (f *fakeStore) UserByName(_ context.Context, name string) (user.User, error) {
	return f.findUser(func(u user.User) bool { return u.Name == name })
}

func (f *fakeStore) UserByID(_ context.Context, id int64) (user.User, error) {
	return f.findUser(func(u user.User) bool { return u.ID == id })
}

func (f *fakeStore) Users(context.Context) ([]user.User, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]user.User(nil), f.users...), nil
}

func (f *fakeStore) AddAPIToken(_ context.Context, userID int64, tokenHash, _ string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tokens[tokenHash] = userID
	return nil
}

func (f *fakeStore) UserByTokenHash(ctx context.Context, tokenHash string) (user.User, error) {
	f.mu.Lock()
	id, ok := f.tokens[tokenHash]
	f.mu.Unlock()
	if !ok {
		return user.User{}, fmt.Errorf("fake: token: %w", errNotFound)
	}
	return f.UserByID(ctx, id)
}

// ImportCSV refuses a file containing "bad" on a line (listing each such line),
// otherwise counts its data lines as added.
func (f *fakeStore) ImportCSV(_ context.Context, kind string, r io.Reader) (portfolio.ImportResult, error) {
	var bad portfolio.ImportErrors
	n := 0
	sc := bufio.NewScanner(r)
	for line := 1; sc.Scan(); line++ {
		if strings.Contains(sc.Text(), "bad") {
			bad = append(bad, portfolio.LineError{Line: line, Reason: "bad number " + sc.Text()})
		}
		n = line
	}
	if len(bad) > 0 {
		return portfolio.ImportResult{}, bad
	}
	f.mu.Lock()
	f.imports = append(f.imports, kind)
	f.mu.Unlock()
	return portfolio.ImportResult{Added: n - 1}, nil
}
