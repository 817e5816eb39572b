-- orders_expiry_idx served no query: it is partial on five statuses, while
-- the one search by expiry (orders waiting for approval past their
-- expires_at) names four, so SQLite cannot prove the query is inside the
-- index (EXPLAIN QUERY PLAN uses orders_status_idx; INDEXED BY the expiry
-- index: no query solution). It still cost an index entry for every order
-- proposed: a whole-book proposal writes 427,336 of them.
-- Forward-only: there is no Down section.

-- +goose Up
DROP INDEX orders_expiry_idx;
