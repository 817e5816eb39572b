package web

import (
	"context"

	"github.com/ballast-oms/ballast/portfolio"
	"github.com/ballast-oms/ballast/rebalance"
	"github.com/ballast-oms/ballast/user"
)

// RebalanceStore is what the drift, model and rebalance pages need from
// storage. It is part of Store; the db package's *DB satisfies it.
type RebalanceStore interface {
	// Models lists the shared models by name.
	Models(ctx context.Context) ([]portfolio.Model, error)
	// Model returns one shared model; a missing one is a not-found error.
	Model(ctx context.Context, name string) (portfolio.Model, error)
	// SaveModel creates or replaces a shared model; it refuses an invalid one.
	SaveModel(ctx context.Context, m portfolio.Model) error
	// PortfolioTargets returns a portfolio's own targets; none is a not-found error.
	PortfolioTargets(ctx context.Context, code string) (portfolio.Model, error)
	// SavePortfolioTargets replaces a portfolio's own targets; it refuses invalid ones.
	SavePortfolioTargets(ctx context.Context, code string, m portfolio.Model) error
	// SetPortfolioModel makes a portfolio follow a shared model ("" for its own targets).
	SetPortfolioModel(ctx context.Context, code, name string) error
	// PortfoliosOnModel lists the codes of the portfolios that follow a model.
	PortfoliosOnModel(ctx context.Context, name string) ([]string, error)
	// RebalanceInputs loads the plan inputs of codes (all when empty) and the
	// codes skipped for having no targets; an unknown code is not found.
	RebalanceInputs(ctx context.Context, codes []string) ([]rebalance.Input, []string, error)
}

// ProposalSaver saves reviewed rebalance trades as a proposal of orders in
// status proposed, all or nothing, on behalf of u; it returns how many
// orders were saved. cmd/ballast wires it to the order Service.
type ProposalSaver interface {
	SaveProposal(ctx context.Context, u user.User, trades []portfolio.Trade) (int, error)
}
