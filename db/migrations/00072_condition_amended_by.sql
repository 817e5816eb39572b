-- Modifying a condition's terms needs four eyes like creating it: the last
-- user to modify them (amended_by) may not approve them either, and a
-- modified active condition goes back to pending approval (trigger.Modify).
-- The database refuses an approver equal to the last modifier, as it does
-- one equal to the creator.
-- Forward-only: there is no Down section.

-- +goose Up
ALTER TABLE conditions ADD COLUMN amended_by TEXT
    CHECK (amended_by IS NULL OR approved_by IS NULL OR lower(trim(approved_by)) <> lower(trim(amended_by)));
