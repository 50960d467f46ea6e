-- Each station numbers its own events: a counter row per station is taken in the same
-- transaction as the change that announces them, so a station's numbers are gap-free in
-- commit order on every replica (a sequence is not: its numbers commit out of order).
-- Events stored before keep their order: each station's are numbered 1, 2, ... by their old
-- global id, which stays as the row's key (an old-style Last-Event-ID still finds its place).
ALTER TABLE events ADD COLUMN seq BIGINT;
UPDATE events SET seq = numbered.n
FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY station ORDER BY id) AS n FROM events) AS numbered
WHERE events.id = numbered.id;
ALTER TABLE events ALTER COLUMN seq SET NOT NULL;
CREATE UNIQUE INDEX events_by_station_seq ON events(station, seq);

CREATE TABLE station_events (
    station TEXT PRIMARY KEY,
    seq     BIGINT NOT NULL
);
INSERT INTO station_events (station, seq) SELECT station, MAX(seq) FROM events GROUP BY station;

-- Replicas on one database find each other's wake-ups (NATS subjects, LISTEN channel) under
-- this name, made once per database: two deployments on one NATS server stay apart.
CREATE TABLE deployment (id TEXT NOT NULL);
INSERT INTO deployment (id) VALUES (md5(random()::text || clock_timestamp()::text));
