-- A station's own travel times (from Amap, Baidu or measured): while a station has one, its
-- days are planned on the newest, not on the roads. Each upload is a new version (its id);
-- plans name the version they used in `plans.travel`, so a solve in flight keeps its own.
CREATE TABLE station_matrices (
    id          BIGSERIAL PRIMARY KEY,
    station     TEXT NOT NULL REFERENCES stations(id),
    points      BIGINT NOT NULL,
    modes       TEXT NOT NULL,
    body        TEXT NOT NULL,
    uploaded_ms BIGINT NOT NULL
);
CREATE INDEX station_matrices_by_station ON station_matrices(station, id);
ALTER TABLE plans ADD COLUMN travel TEXT;
