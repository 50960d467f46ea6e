-- A station's day has at most one plan being solved (queued for a core, or running): a second
-- request is refused naming it, and a plan may be cancelled. Second solves left running by
-- earlier builds are failed first, the newest of each day kept.
UPDATE plans SET status = 'failed',
    error = 'a second solve of the same day, stopped when one solve per day became the rule'
WHERE status = 'running'
  AND id NOT IN (SELECT MAX(id) FROM plans WHERE status = 'running' GROUP BY station, date);
CREATE UNIQUE INDEX plans_one_solve_per_day ON plans(station, date)
    WHERE status IN ('queued', 'running');
