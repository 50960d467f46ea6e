-- Pools: stations whose days are planned as one problem (a county's centre lends caregivers
-- across town borders). A station is in at most one active pool (checked when a pool is
-- written); `station` is the pool's first station.
CREATE TABLE pools (
    id      TEXT PRIMARY KEY,
    station TEXT NOT NULL REFERENCES stations(id),
    active  BIGINT NOT NULL DEFAULT 1,
    body    TEXT NOT NULL
);

-- A plan is of a plan unit's day: a station's, or a pool's (the pool's id); `station` is
-- the unit's first station. One solve per unit-day.
ALTER TABLE plans ADD COLUMN unit TEXT;
UPDATE plans SET unit = station;
DROP INDEX plans_one_solve_per_day;
CREATE UNIQUE INDEX plans_one_solve_per_day ON plans(unit, date)
    WHERE status IN ('queued', 'running');
CREATE INDEX plans_by_unit_day ON plans(unit, date);
