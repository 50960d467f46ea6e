-- Solves go through a queue (in process, a PostgreSQL table, or NATS JetStream) to whichever
-- worker takes them; the plan row holds the lease, which is what counts: a worker stores a
-- version only while it holds the lease of the epoch it took, checked in the version's
-- transaction. `alive_ms` (0011) is the lease's last renewal; a lease unrenewed for a while
-- is taken back and the plan queued again, up to a few attempts. `pushed_ms` says the job is
-- in the queue (a plan queued but never pushed, its process killed in between, is pushed
-- again by any process); `time_limit_ms` lets any process push it again.
ALTER TABLE plans ADD COLUMN lease_owner TEXT;
ALTER TABLE plans ADD COLUMN lease_epoch BIGINT NOT NULL DEFAULT 0;
ALTER TABLE plans ADD COLUMN attempts BIGINT NOT NULL DEFAULT 0;
ALTER TABLE plans ADD COLUMN time_limit_ms BIGINT;
ALTER TABLE plans ADD COLUMN pushed_ms BIGINT;
-- The lease epoch each version of a solve was stored under: a plan's versions never go back
-- to an older epoch (what the fencing promises, and what the chaos test checks).
ALTER TABLE plan_versions ADD COLUMN lease_epoch BIGINT;
-- (On PostgreSQL this step also makes the queue's table; SQLite is one process, whose queue
-- is in memory.)
