-- The audit trail's portfolio index keeps only the events of no order
-- (restriction changes, conditions not yet fired, model edits): an order's
-- events carry its portfolio, and the audit search finds them through the
-- order (orders_portfolio_idx, then audit_order_idx). A whole-book proposal
-- writes three events for each of its orders; indexing them by portfolio as
-- well cost a b-tree insert each that no search needs.
-- Forward-only: there is no Down section.

-- +goose Up
DROP INDEX audit_portfolio_idx;
CREATE INDEX audit_portfolio_idx ON audit_events(portfolio) WHERE order_id IS NULL;
