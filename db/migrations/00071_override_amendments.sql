-- An amendment of an order voids the compliance overrides given before it:
-- they stay in the record (overrides are append-only) but clear no breach,
-- and a compliance officer overrides the amended order's breaches afresh.
-- orders.amendments counts an order's amendments; an override keeps the count
-- it was given at and is void once the order's count is higher. The
-- overrides' unique key gains the amendment, so that a breach can be
-- overridden once per amendment; SQLite changes a table's constraints only by
-- building the table again, here with the same rows, ids and triggers.
-- Overrides given before this migration count as given at amendment 0.
-- Forward-only: there is no Down section.

-- +goose Up
ALTER TABLE orders ADD COLUMN amendments INTEGER NOT NULL DEFAULT 0 CHECK (amendments >= 0);

DROP TRIGGER compliance_overrides_no_update;
DROP TRIGGER compliance_overrides_no_delete;

CREATE TABLE compliance_overrides_new (
    id           INTEGER PRIMARY KEY,
    order_id     INTEGER NOT NULL,
    rule_id      TEXT NOT NULL,
    grp          TEXT NOT NULL DEFAULT '',
    rule_version INTEGER NOT NULL,
    reason_code  TEXT NOT NULL,
    reason       TEXT NOT NULL CHECK (trim(reason) <> ''),
    officer      TEXT NOT NULL CHECK (officer <> ''),
    at           TEXT NOT NULL,
    amendment    INTEGER NOT NULL DEFAULT 0 CHECK (amendment >= 0),
    UNIQUE (order_id, rule_id, grp, rule_version, amendment)
);
INSERT INTO compliance_overrides_new (id, order_id, rule_id, grp, rule_version, reason_code, reason, officer, at)
    SELECT id, order_id, rule_id, grp, rule_version, reason_code, reason, officer, at FROM compliance_overrides;
DROP TABLE compliance_overrides;
ALTER TABLE compliance_overrides_new RENAME TO compliance_overrides;

-- +goose StatementBegin
CREATE TRIGGER compliance_overrides_no_update BEFORE UPDATE ON compliance_overrides
BEGIN
    SELECT RAISE(ABORT, 'overrides are append-only');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER compliance_overrides_no_delete BEFORE DELETE ON compliance_overrides
BEGIN
    SELECT RAISE(ABORT, 'overrides are append-only');
END;
-- +goose StatementEnd
