-- Foundation schema: securities master, portfolios, positions, prices, users,
-- API tokens and web sessions. Decimals are TEXT (exact); times are TEXT in UTC,
-- fixed width ("2006-01-02T15:04:05.000000Z") so they sort as strings.
-- Forward-only: there is no Down section.

-- +goose Up
CREATE TABLE securities (
    symbol             TEXT PRIMARY KEY,
    name               TEXT NOT NULL,
    issuer             TEXT NOT NULL,
    sector             TEXT NOT NULL DEFAULT '',
    country            TEXT NOT NULL DEFAULT '',
    currency           TEXT NOT NULL,
    asset_class        TEXT NOT NULL,
    lot_size           TEXT NOT NULL,
    adv                TEXT NOT NULL DEFAULT '0',
    shares_outstanding TEXT NOT NULL DEFAULT '0',
    price_increment    TEXT NOT NULL DEFAULT '0'
);

CREATE TABLE portfolios (
    code           TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    base_currency  TEXT NOT NULL,
    cash           TEXT NOT NULL DEFAULT '0',
    model          TEXT NOT NULL DEFAULT '',
    tags           TEXT NOT NULL DEFAULT '', -- space-separated, e.g. "ucits"
    default_broker TEXT NOT NULL DEFAULT ''
);

CREATE TABLE positions (
    portfolio    TEXT NOT NULL REFERENCES portfolios(code) ON DELETE CASCADE,
    symbol       TEXT NOT NULL REFERENCES securities(symbol),
    quantity     TEXT NOT NULL,
    avg_cost     TEXT NOT NULL DEFAULT '0',
    realised_pnl TEXT NOT NULL DEFAULT '0',
    PRIMARY KEY (portfolio, symbol)
);
CREATE INDEX positions_symbol_idx ON positions(symbol);

-- prices holds the latest price of each security; price_history every price seen.
CREATE TABLE prices (
    symbol TEXT PRIMARY KEY REFERENCES securities(symbol),
    price  TEXT NOT NULL,
    as_of  TEXT NOT NULL,
    source TEXT NOT NULL
);

CREATE TABLE price_history (
    symbol TEXT NOT NULL REFERENCES securities(symbol),
    as_of  TEXT NOT NULL,
    price  TEXT NOT NULL,
    source TEXT NOT NULL,
    PRIMARY KEY (symbol, as_of)
);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash TEXT NOT NULL,
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL
);

CREATE TABLE user_roles (
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role    TEXT NOT NULL CHECK (role IN ('pm', 'trader', 'compliance', 'admin')),
    PRIMARY KEY (user_id, role)
);

CREATE TABLE api_tokens (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    hash       TEXT NOT NULL UNIQUE,
    label      TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE INDEX api_tokens_user_idx ON api_tokens(user_id);

-- The table github.com/alexedwards/scs/sqlite3store keeps web sessions in.
CREATE TABLE sessions (
    token  TEXT PRIMARY KEY,
    data   BLOB NOT NULL,
    expiry REAL NOT NULL
);
CREATE INDEX sessions_expiry_idx ON sessions(expiry);
