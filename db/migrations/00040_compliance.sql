-- Compliance: versioned rules (the restricted list is a rule), the results of
-- every pre-trade check per order, overrides of soft breaches, and post-trade
-- alerts. Rule versions, checks, results and overrides are append-only.
-- order_id has no foreign key: the order book's tables come in a later
-- migration. Decimals are TEXT; times are TEXT in UTC, fixed width.
-- Forward-only: there is no Down section.

-- +goose Up
-- Every change to a rule is a new row; the active set is the latest version
-- of each rule that is enabled. body is the rule in the rules-file format.
CREATE TABLE compliance_rule_versions (
    id         INTEGER PRIMARY KEY,
    rule_id    TEXT NOT NULL,
    version    INTEGER NOT NULL CHECK (version >= 1),
    enabled    INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    body       TEXT NOT NULL,
    changed_by TEXT NOT NULL CHECK (changed_by <> ''),
    changed_at TEXT NOT NULL,
    reason     TEXT NOT NULL DEFAULT '',
    UNIQUE (rule_id, version)
);

-- One pre-trade check of one order: at proposal or again at approval.
CREATE TABLE compliance_checks (
    id         INTEGER PRIMARY KEY,
    order_id   INTEGER NOT NULL,
    phase      TEXT NOT NULL CHECK (phase IN ('propose', 'approve')),
    verdict    TEXT NOT NULL CHECK (verdict IN ('pass', 'warn', 'fail')),
    summary    TEXT NOT NULL DEFAULT '',
    checked_at TEXT NOT NULL
);
CREATE INDEX compliance_checks_order_idx ON compliance_checks(order_id, id);

-- The findings of a check attributed to its order (pass results are not kept).
CREATE TABLE compliance_results (
    id           INTEGER PRIMARY KEY,
    check_id     INTEGER NOT NULL REFERENCES compliance_checks(id),
    rule_id      TEXT NOT NULL,
    rule_name    TEXT NOT NULL DEFAULT '',
    rule_version INTEGER NOT NULL DEFAULT 0,
    severity     TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL,
    grp          TEXT NOT NULL DEFAULT '',
    value        TEXT NOT NULL DEFAULT '0',
    limit_value  TEXT NOT NULL DEFAULT '0',
    unit         TEXT NOT NULL DEFAULT '',
    message      TEXT NOT NULL DEFAULT '',
    overridden   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX compliance_results_check_idx ON compliance_results(check_id);

-- An override clears one soft breach (rule and group) of one order, at the
-- rule version in force; hard breaches are never overridden.
CREATE TABLE compliance_overrides (
    id           INTEGER PRIMARY KEY,
    order_id     INTEGER NOT NULL,
    rule_id      TEXT NOT NULL,
    grp          TEXT NOT NULL DEFAULT '',
    rule_version INTEGER NOT NULL,
    reason_code  TEXT NOT NULL,
    reason       TEXT NOT NULL CHECK (trim(reason) <> ''),
    officer      TEXT NOT NULL CHECK (officer <> ''),
    at           TEXT NOT NULL,
    UNIQUE (order_id, rule_id, grp, rule_version)
);

-- Post-trade alerts: open → acknowledged → resolved. At most one unresolved
-- alert per key (portfolio | rule | group); a later batch updates it.
CREATE TABLE compliance_alerts (
    id              INTEGER PRIMARY KEY,
    key             TEXT NOT NULL,
    portfolio       TEXT NOT NULL,
    rule_id         TEXT NOT NULL,
    rule_name       TEXT NOT NULL DEFAULT '',
    rule_version    INTEGER NOT NULL DEFAULT 0,
    severity        TEXT NOT NULL DEFAULT '',
    level           TEXT NOT NULL CHECK (level IN ('breach', 'warning')),
    grp             TEXT NOT NULL DEFAULT '',
    value           TEXT NOT NULL DEFAULT '0',
    limit_value     TEXT NOT NULL DEFAULT '0',
    unit            TEXT NOT NULL DEFAULT '',
    message         TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'acknowledged', 'resolved')),
    first_seen      TEXT NOT NULL,
    last_seen       TEXT NOT NULL,
    acknowledged_by TEXT NOT NULL DEFAULT '',
    acknowledged_at TEXT NOT NULL DEFAULT '',
    resolved_by     TEXT NOT NULL DEFAULT '',
    resolved_at     TEXT NOT NULL DEFAULT '',
    note            TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX compliance_alerts_live_idx ON compliance_alerts(key) WHERE status <> 'resolved';
CREATE INDEX compliance_alerts_status_idx ON compliance_alerts(status, id);

-- +goose StatementBegin
CREATE TRIGGER compliance_rule_versions_no_update BEFORE UPDATE ON compliance_rule_versions
BEGIN
    SELECT RAISE(ABORT, 'rule versions are append-only');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER compliance_rule_versions_no_delete BEFORE DELETE ON compliance_rule_versions
BEGIN
    SELECT RAISE(ABORT, 'rule versions are append-only');
END;
-- +goose StatementEnd

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
