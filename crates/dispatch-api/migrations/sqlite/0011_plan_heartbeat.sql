-- A running plan is marked alive every few seconds by the replica solving it; any replica
-- fails a plan no one has marked for a while (its replica stopped), and only those: a
-- restarting replica no longer fails the plans other replicas are solving. Plans running
-- before this have no mark, and count as abandoned.
ALTER TABLE plans ADD COLUMN alive_ms INTEGER;
