-- Models and targets, a portfolio's own targets, and rebalancing restrictions.
-- A shared model has portfolio NULL and a unique name; a portfolio's own
-- targets are a model row with portfolio set (one per portfolio), named after
-- it. Weights are percent of NAV as TEXT decimals; CASH is the cash target and
-- is not a security, so model_targets.symbol has no foreign key. band_kind ''
-- means "not set" (the model's band, or the default ±1 point).
-- Forward-only: there is no Down section.

-- +goose Up
CREATE TABLE models (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    portfolio  TEXT REFERENCES portfolios(code) ON DELETE CASCADE,
    band_kind  TEXT NOT NULL DEFAULT '' CHECK (band_kind IN ('', 'absolute', 'relative')),
    band_width TEXT NOT NULL DEFAULT '0'
);
CREATE UNIQUE INDEX models_name_idx ON models(name) WHERE portfolio IS NULL;
CREATE UNIQUE INDEX models_portfolio_idx ON models(portfolio) WHERE portfolio IS NOT NULL;

CREATE TABLE model_targets (
    model_id   INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
    symbol     TEXT NOT NULL,
    weight     TEXT NOT NULL,
    band_kind  TEXT NOT NULL DEFAULT '' CHECK (band_kind IN ('', 'absolute', 'relative')),
    band_width TEXT NOT NULL DEFAULT '0',
    PRIMARY KEY (model_id, symbol)
);

CREATE TABLE restrictions (
    portfolio   TEXT NOT NULL REFERENCES portfolios(code) ON DELETE CASCADE,
    symbol      TEXT NOT NULL REFERENCES securities(symbol),
    do_not_buy  INTEGER NOT NULL DEFAULT 0,
    do_not_sell INTEGER NOT NULL DEFAULT 0,
    excluded    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (portfolio, symbol)
);
