-- A two-caregiver order is served as two linked visits, `{order}:1` and `{order}:2`, each
-- checked in, locked and rated on its own: progress, locks and ratings name a visit, which is
-- an order's id or one of those two, so their rows no longer reference an order's id; a
-- visit's progress names its order beside it (the ledger joins on it).
-- (SQLite drops a foreign key only by rebuilding the table.)
CREATE TABLE visit_progress_v6 (
    visit         TEXT PRIMARY KEY,
    order_id      TEXT NOT NULL REFERENCES orders(id),
    caregiver     TEXT NOT NULL,
    station       TEXT NOT NULL,
    date          TEXT NOT NULL,
    check_in_s    INTEGER NOT NULL,
    check_in_lon  REAL NOT NULL,
    check_in_lat  REAL NOT NULL,
    check_out_s   INTEGER,
    check_out_lon REAL,
    check_out_lat REAL
);
INSERT INTO visit_progress_v6 (visit, order_id, caregiver, station, date, check_in_s,
    check_in_lon, check_in_lat, check_out_s, check_out_lon, check_out_lat)
    SELECT visit, visit, caregiver, station, date, check_in_s, check_in_lon, check_in_lat,
           check_out_s, check_out_lon, check_out_lat FROM visit_progress;
DROP TABLE visit_progress;
ALTER TABLE visit_progress_v6 RENAME TO visit_progress;
CREATE INDEX progress_by_day ON visit_progress(station, date);

CREATE TABLE visit_locks_v6 (
    visit   TEXT PRIMARY KEY,
    station TEXT NOT NULL,
    date    TEXT NOT NULL
);
INSERT INTO visit_locks_v6 (visit, station, date) SELECT visit, station, date FROM visit_locks;
DROP TABLE visit_locks;
ALTER TABLE visit_locks_v6 RENAME TO visit_locks;
CREATE INDEX visit_locks_by_day ON visit_locks(station, date);

CREATE TABLE ratings_v6 (
    visit     TEXT PRIMARY KEY,
    link_hash TEXT NOT NULL UNIQUE,
    station   TEXT NOT NULL,
    caregiver TEXT NOT NULL,
    date      TEXT NOT NULL,
    stars     INTEGER,
    comment   TEXT,
    rated_ms  INTEGER
);
INSERT INTO ratings_v6 (visit, link_hash, station, caregiver, date, stars, comment, rated_ms)
    SELECT visit, link_hash, station, caregiver, date, stars, comment, rated_ms FROM ratings;
DROP TABLE ratings;
ALTER TABLE ratings_v6 RENAME TO ratings;
CREATE INDEX ratings_by_day ON ratings(station, date);
