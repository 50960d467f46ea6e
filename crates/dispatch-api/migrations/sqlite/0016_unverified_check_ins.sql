-- A check-in without a position (the phone refused it, or had none) is still recorded, as
-- unverified: its coordinates are empty. (SQLite drops a NOT NULL only by rebuilding the table.)
CREATE TABLE visit_progress_v16 (
    visit           TEXT PRIMARY KEY,
    order_id        TEXT NOT NULL REFERENCES orders(id),
    caregiver       TEXT NOT NULL,
    station         TEXT NOT NULL,
    date            TEXT NOT NULL,
    check_in_s      INTEGER NOT NULL,
    check_in_lon    REAL,
    check_in_lat    REAL,
    check_out_s     INTEGER,
    check_out_lon   REAL,
    check_out_lat   REAL,
    check_in_reason TEXT
);
INSERT INTO visit_progress_v16 (visit, order_id, caregiver, station, date, check_in_s,
    check_in_lon, check_in_lat, check_out_s, check_out_lon, check_out_lat, check_in_reason)
    SELECT visit, order_id, caregiver, station, date, check_in_s, check_in_lon, check_in_lat,
           check_out_s, check_out_lon, check_out_lat, check_in_reason FROM visit_progress;
DROP TABLE visit_progress;
ALTER TABLE visit_progress_v16 RENAME TO visit_progress;
CREATE INDEX progress_by_day ON visit_progress(station, date);
