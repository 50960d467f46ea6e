-- Community canteens (长者食堂) where caregivers pick meals up: with any, a station's meal
-- orders are planned as meal rounds (pick-up at a canteen, then the delivery). A canteen
-- belongs to the station whose dispatchers keep it; clients of any station may choose it.
CREATE TABLE canteens (
    id      TEXT PRIMARY KEY,
    station TEXT NOT NULL REFERENCES stations(id),
    active  BIGINT NOT NULL DEFAULT 1,
    body    TEXT NOT NULL
);
CREATE INDEX canteens_by_station ON canteens(station);
