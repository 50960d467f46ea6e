-- The web console: a dispatcher acknowledges an alert (who, and when in seconds from local
-- midnight of the alert's day), and locks a visit so re-plans keep its caregiver and time.
ALTER TABLE alerts ADD COLUMN acked_by TEXT;
ALTER TABLE alerts ADD COLUMN acked_at_s INTEGER;

CREATE TABLE visit_locks (
    visit   TEXT PRIMARY KEY REFERENCES orders(id),
    station TEXT NOT NULL,
    date    TEXT NOT NULL
);
CREATE INDEX visit_locks_by_day ON visit_locks(station, date);
