-- Conditional orders on holdings (stop-loss, take-profit, trailing stop, buy
-- conditions), their trailing highs, and per-portfolio default conditions
-- ("apply to new holdings"). Decimals are TEXT (exact); times are TEXT in UTC,
-- fixed width; an empty time is ''. Every change is an audit event in
-- audit_events, which gains a condition_id column here.
-- Forward-only: there is no Down section.

-- +goose Up
-- Four eyes is enforced here too: a condition's approver is never its creator.
CREATE TABLE conditions (
    id               INTEGER PRIMARY KEY,
    portfolio        TEXT NOT NULL REFERENCES portfolios(code),
    symbol           TEXT NOT NULL REFERENCES securities(symbol),
    kind             TEXT NOT NULL CHECK (kind IN ('stop_loss', 'take_profit', 'trailing_stop', 'buy_stop', 'buy_limit')),
    trigger_price    TEXT NOT NULL DEFAULT '0',
    percent          TEXT NOT NULL DEFAULT '0',
    amount           TEXT NOT NULL DEFAULT '0',
    activation_price TEXT NOT NULL DEFAULT '0',
    quantity         TEXT NOT NULL DEFAULT '0',
    order_type       TEXT NOT NULL DEFAULT 'market' CHECK (order_type IN ('market', 'limit')),
    collar_bps       INTEGER NOT NULL DEFAULT 0,
    valid_until      TEXT NOT NULL,
    oco_with         INTEGER NOT NULL DEFAULT 0,
    level            TEXT NOT NULL DEFAULT '0',
    created_by       TEXT NOT NULL CHECK (created_by <> ''),
    approved_by      TEXT,
    state            TEXT NOT NULL CHECK (state IN ('pending_approval', 'active', 'triggered', 'expired', 'cancelled')),
    state_reason     TEXT NOT NULL DEFAULT '',
    version          INTEGER NOT NULL DEFAULT 1,
    created_at       TEXT NOT NULL,
    approved_at      TEXT NOT NULL DEFAULT '',
    updated_at       TEXT NOT NULL,
    fired_price      TEXT NOT NULL DEFAULT '0',
    fired_at         TEXT NOT NULL DEFAULT '',
    template_id      INTEGER NOT NULL DEFAULT 0,
    order_id         INTEGER NOT NULL DEFAULT 0, -- the order it created when it fired
    alert            TEXT NOT NULL DEFAULT '',   -- why its order could not go out (hard compliance breach, refusal)
    CHECK (approved_by IS NULL OR lower(trim(approved_by)) <> lower(trim(created_by)))
);
CREATE INDEX conditions_state_idx ON conditions(state, id);
CREATE INDEX conditions_holding_idx ON conditions(portfolio, symbol, id);
CREATE INDEX conditions_symbol_idx ON conditions(symbol, id);

-- A trailing stop's highest price since activation, kept apart from the
-- condition so that a batch of ticks updates it cheaply without a version bump.
CREATE TABLE condition_highs (
    condition_id INTEGER PRIMARY KEY REFERENCES conditions(id),
    high         TEXT NOT NULL,
    at           TEXT NOT NULL
);

-- A portfolio's default conditions, attached to every position a fill opens
-- once approved (four eyes, as for conditions).
CREATE TABLE condition_templates (
    id               INTEGER PRIMARY KEY,
    portfolio        TEXT NOT NULL REFERENCES portfolios(code),
    kind             TEXT NOT NULL CHECK (kind IN ('stop_loss', 'take_profit', 'trailing_stop')),
    percent          TEXT NOT NULL DEFAULT '0',
    amount           TEXT NOT NULL DEFAULT '0',
    activation_price TEXT NOT NULL DEFAULT '0',
    order_type       TEXT NOT NULL DEFAULT 'market',
    collar_bps       INTEGER NOT NULL DEFAULT 0,
    validity_days    INTEGER NOT NULL DEFAULT 0,
    created_by       TEXT NOT NULL CHECK (created_by <> ''),
    approved_by      TEXT,
    removed          INTEGER NOT NULL DEFAULT 0,
    version          INTEGER NOT NULL DEFAULT 1,
    created_at       TEXT NOT NULL,
    CHECK (approved_by IS NULL OR lower(trim(approved_by)) <> lower(trim(created_by)))
);
CREATE INDEX condition_templates_portfolio_idx ON condition_templates(portfolio, id);

ALTER TABLE audit_events ADD COLUMN condition_id INTEGER;
CREATE INDEX audit_condition_idx ON audit_events(condition_id) WHERE condition_id IS NOT NULL;
