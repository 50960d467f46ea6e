-- A write claims its Idempotency-Key before it runs (status 0: in progress), so two requests
-- with one key at once have one effect; keys are kept 24 hours from their claim, then deleted.
-- Keys stored before this count from the migration.
ALTER TABLE idempotency_keys ADD COLUMN created_ms BIGINT;
UPDATE idempotency_keys SET created_ms = CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER);
CREATE INDEX idempotency_keys_by_age ON idempotency_keys(created_ms);
