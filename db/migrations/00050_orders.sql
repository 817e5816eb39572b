-- The order book: orders, blocks, the ClOrdID chains, executions, the
-- allocation of block fills to orders, and the append-only audit trail.
-- Decimals are TEXT (exact); times are TEXT in UTC, fixed width, so they sort
-- as strings; an empty time is ''. Positions and cash live in the foundation's
-- positions and portfolios tables.
-- Forward-only: there is no Down section.

-- +goose Up
CREATE TABLE blocks (
    id                INTEGER PRIMARY KEY,
    symbol            TEXT NOT NULL REFERENCES securities(symbol),
    side              TEXT NOT NULL CHECK (side IN ('buy', 'sell', 'sell_short')),
    order_type        TEXT NOT NULL,
    limit_price       TEXT NOT NULL DEFAULT '0',
    stop_price        TEXT NOT NULL DEFAULT '0',
    time_in_force     TEXT NOT NULL,
    expire_date       TEXT NOT NULL DEFAULT '',
    broker            TEXT NOT NULL,
    account           TEXT NOT NULL DEFAULT '',
    lot_size          TEXT NOT NULL DEFAULT '1',
    status            TEXT NOT NULL,
    order_qty         TEXT NOT NULL,
    cum_qty           TEXT NOT NULL DEFAULT '0',
    notional          TEXT NOT NULL DEFAULT '0',
    cl_ord_id         TEXT NOT NULL DEFAULT '',
    pending_cl_ord_id TEXT NOT NULL DEFAULT '',
    broker_order_id   TEXT NOT NULL DEFAULT '',
    created_by        TEXT NOT NULL,
    created_at        TEXT NOT NULL,
    released_at       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX blocks_status_idx ON blocks(status);

-- Four eyes is enforced here too: whoever proposed or last amended an order
-- can never be its approver, whatever path the write takes.
CREATE TABLE orders (
    id            INTEGER PRIMARY KEY,
    proposal_id   INTEGER NOT NULL DEFAULT 0,
    portfolio     TEXT NOT NULL REFERENCES portfolios(code),
    symbol        TEXT NOT NULL REFERENCES securities(symbol),
    side          TEXT NOT NULL CHECK (side IN ('buy', 'sell', 'sell_short')),
    quantity      TEXT NOT NULL,
    order_type    TEXT NOT NULL,
    limit_price   TEXT NOT NULL DEFAULT '0',
    stop_price    TEXT NOT NULL DEFAULT '0',
    time_in_force TEXT NOT NULL,
    expire_date   TEXT NOT NULL DEFAULT '',
    broker        TEXT NOT NULL DEFAULT '',
    notes         TEXT NOT NULL DEFAULT '',
    proposed_by   TEXT NOT NULL CHECK (proposed_by <> ''),
    amended_by    TEXT,
    approved_by   TEXT,
    override      TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL,
    filled_qty    TEXT NOT NULL DEFAULT '0',
    avg_px        TEXT NOT NULL DEFAULT '0',
    created_at    TEXT NOT NULL,
    expires_at    TEXT NOT NULL DEFAULT '',
    block_id      INTEGER REFERENCES blocks(id),
    CHECK (approved_by IS NULL OR lower(trim(approved_by)) <> lower(trim(proposed_by))),
    CHECK (approved_by IS NULL OR amended_by IS NULL OR lower(trim(approved_by)) <> lower(trim(amended_by)))
);
CREATE INDEX orders_status_idx ON orders(status, id);
CREATE INDEX orders_portfolio_idx ON orders(portfolio, id);
CREATE INDEX orders_block_idx ON orders(block_id) WHERE block_id IS NOT NULL;
CREATE INDEX orders_created_idx ON orders(created_at);
CREATE INDEX orders_expiry_idx ON orders(expires_at) WHERE status IN ('proposed', 'blocked', 'awaiting_override', 'ready', 'approved');

-- block_orders is every order that ever joined a block, kept by triggers, so
-- an order withdrawn from an unreleased block still shows where it was.
CREATE TABLE block_orders (
    block_id  INTEGER NOT NULL REFERENCES blocks(id),
    order_id  INTEGER NOT NULL REFERENCES orders(id),
    withdrawn INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (block_id, order_id)
) WITHOUT ROWID;

-- +goose StatementBegin
CREATE TRIGGER orders_block_join AFTER UPDATE OF block_id ON orders
WHEN NEW.block_id IS NOT OLD.block_id
BEGIN
    UPDATE block_orders SET withdrawn = 1 WHERE OLD.block_id IS NOT NULL AND block_id = OLD.block_id AND order_id = OLD.id;
    INSERT OR IGNORE INTO block_orders(block_id, order_id) SELECT NEW.block_id, NEW.id WHERE NEW.block_id IS NOT NULL;
END;
-- +goose StatementEnd

-- Every ClOrdID of a block's chain (new, cancel, replace) maps to the block.
CREATE TABLE cl_ord_ids (
    cl_ord_id TEXT NOT NULL UNIQUE,
    block_id  INTEGER NOT NULL REFERENCES blocks(id)
);

-- Executions are booked at most once per (session, block_id, exec_id); block 0
-- holds reports that matched no order, so block_id has no foreign key.
CREATE TABLE executions (
    id          INTEGER PRIMARY KEY,
    session     TEXT NOT NULL,
    block_id    INTEGER NOT NULL,
    exec_id     TEXT NOT NULL,
    kind        TEXT NOT NULL,
    ref_exec_id TEXT NOT NULL DEFAULT '',
    quantity    TEXT NOT NULL DEFAULT '0',
    price       TEXT NOT NULL DEFAULT '0',
    state       TEXT NOT NULL DEFAULT '',
    discrepancy TEXT NOT NULL DEFAULT '',
    refused     TEXT NOT NULL DEFAULT '',
    cl_ord_id   TEXT NOT NULL DEFAULT '',
    received_at TEXT NOT NULL DEFAULT '',
    report      TEXT NOT NULL DEFAULT '{}', -- the normalised report as JSON, decimals as strings
    raw         TEXT NOT NULL DEFAULT '',   -- the FIX message as received
    UNIQUE (block_id, session, exec_id) -- also serves the block's executions
);

CREATE TABLE allocations (
    block_id       INTEGER NOT NULL REFERENCES blocks(id),
    order_id       INTEGER NOT NULL REFERENCES orders(id),
    portfolio      TEXT NOT NULL,
    quantity       TEXT NOT NULL,
    price          TEXT NOT NULL,
    qty_delta      TEXT NOT NULL DEFAULT '0',
    cost_delta     TEXT NOT NULL DEFAULT '0',
    realised_delta TEXT NOT NULL DEFAULT '0',
    cash_delta     TEXT NOT NULL DEFAULT '0',
    through_zero   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (block_id, order_id) -- unique: one allocation per order of a block
) WITHOUT ROWID;

-- The audit trail is append-only: the triggers refuse every update and delete.
CREATE TABLE audit_events (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    order_id    INTEGER,
    block_id    INTEGER,
    portfolio   TEXT NOT NULL DEFAULT '',
    from_status TEXT NOT NULL DEFAULT '',
    to_status   TEXT NOT NULL DEFAULT '',
    reason      TEXT NOT NULL DEFAULT '',
    details     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_order_idx ON audit_events(order_id) WHERE order_id IS NOT NULL;
CREATE INDEX audit_block_idx ON audit_events(block_id) WHERE block_id IS NOT NULL;
CREATE INDEX audit_portfolio_idx ON audit_events(portfolio, at) WHERE portfolio <> '';
CREATE INDEX audit_actor_idx ON audit_events(actor, at);
-- A search by date alone scans by id, which follows time.

-- +goose StatementBegin
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit is append-only');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit is append-only');
END;
-- +goose StatementEnd
