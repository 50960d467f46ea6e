-- A two-caregiver order is served as two linked visits, `{order}:1` and `{order}:2`, each
-- checked in, locked and rated on its own: progress, locks and ratings name a visit, which is
-- an order's id or one of those two, so their rows no longer reference an order's id; a
-- visit's progress names its order beside it (the ledger joins on it).
ALTER TABLE visit_progress DROP CONSTRAINT IF EXISTS visit_progress_visit_fkey;
ALTER TABLE visit_progress ADD COLUMN order_id TEXT REFERENCES orders(id);
UPDATE visit_progress SET order_id = visit;
ALTER TABLE visit_progress ALTER COLUMN order_id SET NOT NULL;
ALTER TABLE visit_locks DROP CONSTRAINT IF EXISTS visit_locks_visit_fkey;
ALTER TABLE ratings DROP CONSTRAINT IF EXISTS ratings_visit_fkey;
