-- A rebalance proposal: one reviewed run whose trades were saved as orders in
-- status proposed (orders.proposal_id points here). Forward-only.

-- +goose Up
CREATE TABLE proposals (
    id         INTEGER PRIMARY KEY,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    portfolios INTEGER NOT NULL,
    trades     INTEGER NOT NULL
);
