package main

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/db"
	"github.com/ballast-oms/ballast/order"
	"github.com/ballast-oms/ballast/portfolio"
	"github.com/ballast-oms/ballast/rebalance"
	"github.com/ballast-oms/ballast/user"
)

// benchBroker is the broker the bench's blocks are released to.
const benchBroker = "SIM"

// benchWebBook is the desk "bench web" builds: the book's portfolio codes,
// its symbols and prices, and the users' password.
type benchWebBook struct {
	codes    []string
	symbols  []string
	prices   map[string]decimal.Decimal
	lots     map[string]decimal.Decimal
	password string
}

// benchBlock is a released block the feeder books fills on.
type benchBlock struct {
	clOrdID  string
	price    decimal.Decimal
	quantity decimal.Decimal
}

// seedBenchWebBook writes a synthetic book (securities, prices, models,
// portfolios with positions) and the users: load-pm-N and load-trader-N in
// turn, all with one random password, hashed once.
func seedBenchWebBook(ctx context.Context, d *db.DB, cfg *webBenchConfig) (*benchWebBook, error) {
	inputs := rebalance.Synthetic(cfg.portfolios, cfg.positions, 1)
	if err := d.LoadBook(ctx, inputs); err != nil {
		return nil, err
	}
	plain, _, err := user.NewToken()
	if err != nil {
		return nil, err
	}
	hash, err := user.HashPassword(plain)
	if err != nil {
		return nil, err
	}
	for i := range cfg.users {
		u := user.User{Name: benchUserName(i), Roles: []user.Role{benchUserRole(i)}, PasswordHash: hash}
		if _, err := d.CreateUser(ctx, u); err != nil {
			return nil, fmt.Errorf("user %s: %w", u.Name, err)
		}
	}
	b := &benchWebBook{prices: inputs[0].Prices, lots: map[string]decimal.Decimal{}, password: plain}
	for _, in := range inputs {
		b.codes = append(b.codes, in.Holdings.Portfolio.Code)
	}
	for sym, sec := range inputs[0].Securities {
		b.symbols = append(b.symbols, sym)
		b.lots[sym] = sec.LotSize
	}
	slices.Sort(b.symbols)
	return b, nil
}

// benchUserName is the name of the bench's user i.
func benchUserName(i int) string {
	if benchUserRole(i) == user.PM {
		return "load-pm-" + strconv.Itoa(i/2+1)
	}
	return "load-trader-" + strconv.Itoa(i/2+1)
}

// benchUserRole alternates PMs and traders.
func benchUserRole(i int) user.Role {
	if i%2 == 0 {
		return user.PM
	}
	return user.Trader
}

// seedBenchWebOrders puts --orders open orders on the blotter through the
// desk's Service: --blocks blocks of --orders-per-block orders proposed,
// approved, blocked and released to SIM (their quantities never fill up),
// and the rest proposed and ready for approval.
func seedBenchWebOrders(ctx context.Context, svc *order.Service, b *benchWebBook, cfg *webBenchConfig) ([]benchBlock, error) {
	pm := order.Actor{Name: "load-pm-1", Roles: []user.Role{user.PM}}
	tr := order.Actor{Name: "load-trader-1", Roles: []user.Role{user.Trader}}
	blocks := make([]benchBlock, 0, cfg.blocks)
	for k := range cfg.blocks {
		sym := b.symbols[k%len(b.symbols)]
		ps := make([]order.Proposal, cfg.perBlock)
		for j := range ps {
			code := b.codes[(k*cfg.perBlock+j)%len(b.codes)]
			ps[j] = benchProposal(code, sym, decimal.New(1, 12))
		}
		blk, err := releaseBenchBlock(ctx, svc, pm, tr, ps)
		if err != nil {
			return nil, fmt.Errorf("block %d: %w", k, err)
		}
		blocks = append(blocks, benchBlock{clOrdID: blk.ClOrdID, price: b.prices[sym], quantity: blk.Totals.OrderQty})
	}
	rest := cfg.orders - cfg.blocks*cfg.perBlock
	for done := 0; done < rest; {
		n := min(500, rest-done)
		ps := make([]order.Proposal, n)
		for j := range ps {
			i := done + j
			sym := b.symbols[(i*7)%len(b.symbols)]
			ps[j] = benchProposal(b.codes[i%len(b.codes)], sym, b.lots[sym].Mul(decimal.NewFromInt(int64(1+i%9))))
		}
		if _, err := svc.Propose(ctx, pm, ps); err != nil {
			return nil, fmt.Errorf("ready orders: %w", err)
		}
		done += n
	}
	return blocks, nil
}

// benchProposal is a market buy that passed compliance.
func benchProposal(code, sym string, qty decimal.Decimal) order.Proposal {
	return order.Proposal{Order: order.Order{Portfolio: code, Symbol: sym, Side: portfolio.Buy, Quantity: qty,
		Type: order.Market, TimeInForce: order.GTC}, Check: order.Check{Verdict: order.VerdictPass}}
}

// releaseBenchBlock proposes ps, approves them, blocks them and releases
// the block to SIM.
func releaseBenchBlock(ctx context.Context, svc *order.Service, pm, tr order.Actor, ps []order.Proposal) (order.Block, error) {
	os, err := svc.Propose(ctx, pm, ps)
	if err != nil {
		return order.Block{}, err
	}
	ids := make([]int64, len(os))
	for i, o := range os {
		if _, err := svc.Approve(ctx, o.ID, tr, nil); err != nil {
			return order.Block{}, err
		}
		ids[i] = o.ID
	}
	blk, err := svc.CreateBlock(ctx, tr, ids, benchBroker)
	if err != nil {
		return order.Block{}, err
	}
	return svc.Release(ctx, tr, blk.ID)
}
