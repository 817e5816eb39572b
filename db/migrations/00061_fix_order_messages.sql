-- The FIX client's SQL message store (fixclient, --fix-store sql) keeps its
-- tables fix_messages and fix_sessions in this database file; the order
-- message log of 00060 moves out of its way.
-- Forward-only: there is no Down section.

-- +goose Up
ALTER TABLE fix_messages RENAME TO fix_order_messages;
DROP INDEX fix_messages_cl_ord_id;
CREATE INDEX fix_order_messages_cl_ord_id ON fix_order_messages (cl_ord_id);
