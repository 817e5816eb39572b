-- Modifying an active condition proposes an amendment instead of sending the
-- condition back to pending approval (trigger.Modify): the condition stays
-- active and watched on its approved terms while the new terms wait here,
-- and they become its terms only once a trader who neither created the
-- condition nor proposed the amendment approves them. Every amendment is
-- kept with how it ended: approved, rejected, withdrawn by its author,
-- replaced by a later one, or void because the condition fired, was
-- cancelled or expired first.
--
-- Four eyes is enforced here too. An approved amendment's approver
-- (decided_by) is never its author (CHECK) nor the condition's creator
-- (trigger); approving it writes the author into conditions.amended_by and
-- the approver into conditions.approved_by, which 00070 and 00072 already
-- keep apart from each other and from the creator. The database also keeps a
-- pending amendment to active conditions: at most one per condition, proposed
-- only while it is active, and a condition cannot leave active while one is
-- pending, so none can apply after the condition fired, was cancelled or
-- expired. An amendment that has ended does not change.
--
-- Existing conditions have no amendment. Those that an earlier Ballast sent
-- back to pending approval when modified stay pending approval and are
-- approved as before.
-- Forward-only: there is no Down section.

-- +goose Up
CREATE TABLE condition_amendments (
    id               INTEGER PRIMARY KEY,
    condition_id     INTEGER NOT NULL REFERENCES conditions(id),
    trigger_price    TEXT NOT NULL DEFAULT '0',
    percent          TEXT NOT NULL DEFAULT '0',
    amount           TEXT NOT NULL DEFAULT '0',
    activation_price TEXT NOT NULL DEFAULT '0',
    quantity         TEXT NOT NULL DEFAULT '0',
    order_type       TEXT NOT NULL DEFAULT 'market' CHECK (order_type IN ('market', 'limit')),
    collar_bps       INTEGER NOT NULL DEFAULT 0,
    valid_until      TEXT NOT NULL,
    level            TEXT NOT NULL DEFAULT '0',
    proposed_by      TEXT NOT NULL CHECK (trim(proposed_by) <> ''),
    proposed_at      TEXT NOT NULL,
    state            TEXT NOT NULL DEFAULT 'pending'
                     CHECK (state IN ('pending', 'approved', 'rejected', 'withdrawn', 'replaced', 'void')),
    decided_by       TEXT,
    decided_at       TEXT NOT NULL DEFAULT '',
    reason           TEXT NOT NULL DEFAULT '',
    CHECK (state <> 'approved' OR (decided_by IS NOT NULL AND trim(decided_by) <> ''
        AND lower(trim(decided_by)) <> lower(trim(proposed_by))))
);
CREATE UNIQUE INDEX condition_amendments_pending_idx ON condition_amendments(condition_id) WHERE state = 'pending';
CREATE INDEX condition_amendments_condition_idx ON condition_amendments(condition_id, id);

-- +goose StatementBegin
CREATE TRIGGER condition_amendments_for_active BEFORE INSERT ON condition_amendments
WHEN NEW.state <> 'pending'
    OR NOT EXISTS (SELECT 1 FROM conditions WHERE id = NEW.condition_id AND state = 'active')
BEGIN
    SELECT RAISE(ABORT, 'an amendment is proposed, pending, for an active condition only');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER condition_amendments_end_once BEFORE UPDATE ON condition_amendments
WHEN OLD.state <> 'pending' OR NEW.condition_id <> OLD.condition_id OR NEW.proposed_by <> OLD.proposed_by
    OR NEW.proposed_at <> OLD.proposed_at
BEGIN
    SELECT RAISE(ABORT, 'an amendment that has ended does not change, nor does who proposed it');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER condition_amendments_not_by_creator BEFORE UPDATE ON condition_amendments
WHEN NEW.state = 'approved' AND EXISTS (SELECT 1 FROM conditions WHERE id = NEW.condition_id
    AND lower(trim(created_by)) = lower(trim(NEW.decided_by)))
BEGIN
    SELECT RAISE(ABORT, 'four eyes: the creator of a condition cannot approve an amendment of it');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER conditions_amendment_settled BEFORE UPDATE OF state ON conditions
WHEN NEW.state <> 'active'
    AND EXISTS (SELECT 1 FROM condition_amendments WHERE condition_id = NEW.id AND state = 'pending')
BEGIN
    SELECT RAISE(ABORT, 'a condition with a pending amendment leaves active only once the amendment is void');
END;
-- +goose StatementEnd
