-- The audit trail's portfolio and actor indexes served no query: the
-- portfolio index was partial (portfolio <> ''), which a search for
-- "portfolio = ?" cannot use, and the actor index was BINARY while the search
-- is case-insensitive (actor = ? COLLATE NOCASE). Both cost two index entries
-- per event on every write (a whole-book proposal writes three events per
-- order). The portfolio search gets an index it can use, keyed by portfolio
-- alone: within a portfolio its entries follow id, which is the order the
-- audit pages read (newest first), and each entry is a third of the size.
-- The actor search scans by id, newest first, as a search by date does.
-- Forward-only: there is no Down section.

-- +goose Up
DROP INDEX audit_portfolio_idx;
DROP INDEX audit_actor_idx;
CREATE INDEX audit_portfolio_idx ON audit_events(portfolio);
