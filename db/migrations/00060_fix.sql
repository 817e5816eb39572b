-- FIX connectivity: requests waiting for a broker session to log on, the
-- outbound order messages sent (linked to orders by ClOrdID through
-- cl_ord_ids), and session events for the sessions page and its alerts.
-- Inbound execution reports keep their raw message in executions.raw.
-- Times are TEXT in UTC, fixed width; an empty time is ''.
-- Forward-only: there is no Down section.

-- +goose Up
-- A request (new order, cancel, replace) the order book released while its
-- broker's session was down. It goes out at the next logon, in id order, or
-- fails with the reason shown to the trader. Never deleted.
CREATE TABLE fix_outbox (
    id        INTEGER PRIMARY KEY,
    broker    TEXT NOT NULL,
    kind      TEXT NOT NULL CHECK (kind IN ('new', 'cancel', 'replace')),
    cl_ord_id TEXT NOT NULL UNIQUE,
    request   TEXT NOT NULL,            -- the order request as JSON, decimals as strings
    reason    TEXT NOT NULL DEFAULT '', -- why it was queued
    queued_at TEXT NOT NULL,
    state     TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sent', 'failed')),
    done_at   TEXT NOT NULL DEFAULT '',
    error     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX fix_outbox_queued ON fix_outbox (broker, id) WHERE state = 'queued';

-- Outbound order messages (35=D/F/G) as they went to the FIX session
-- (renamed fix_order_messages by 00061).
CREATE TABLE fix_messages (
    id        INTEGER PRIMARY KEY,
    session   TEXT NOT NULL,
    broker    TEXT NOT NULL,
    msg_type  TEXT NOT NULL,
    seq_num   INTEGER NOT NULL,
    cl_ord_id TEXT NOT NULL DEFAULT '',
    sent_at   TEXT NOT NULL,
    raw       TEXT NOT NULL
);
CREATE INDEX fix_messages_cl_ord_id ON fix_messages (cl_ord_id);

-- Logons, logouts and operator actions on sessions.
CREATE TABLE fix_session_events (
    id      INTEGER PRIMARY KEY,
    broker  TEXT NOT NULL,
    session TEXT NOT NULL,
    at      TEXT NOT NULL,
    event   TEXT NOT NULL, -- logged_on, logged_out, connecting, stopped, logon, logout, sequence_reset
    actor   TEXT NOT NULL DEFAULT '',
    detail  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX fix_session_events_broker ON fix_session_events (broker, id);
