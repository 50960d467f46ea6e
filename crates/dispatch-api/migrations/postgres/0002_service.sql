-- Master data is edited through the API: rows are deactivated, never deleted, so old orders
-- and plans keep their references.
ALTER TABLE stations ADD COLUMN active BIGINT NOT NULL DEFAULT 1;
ALTER TABLE caregivers ADD COLUMN active BIGINT NOT NULL DEFAULT 1;
ALTER TABLE clients ADD COLUMN active BIGINT NOT NULL DEFAULT 1;

CREATE TABLE teams (
    id      TEXT PRIMARY KEY,
    station TEXT NOT NULL REFERENCES stations(id),
    active  BIGINT NOT NULL DEFAULT 1,
    body    TEXT NOT NULL
);

CREATE TABLE packages (
    id      TEXT PRIMARY KEY,
    station TEXT NOT NULL REFERENCES stations(id),
    active  BIGINT NOT NULL DEFAULT 1,
    body    TEXT NOT NULL
);

-- The station an order belongs to (its client's), so station-scoped reads need no join; and
-- where it came from: one_off, urgent or package.
ALTER TABLE orders ADD COLUMN station TEXT;
ALTER TABLE orders ADD COLUMN kind TEXT NOT NULL DEFAULT 'one_off';
UPDATE orders SET station = (SELECT c.station FROM clients c WHERE c.id = orders.client);
CREATE INDEX orders_by_station_day ON orders(station, date);

-- Why a plan was made: solve, urgent, absence or change.
ALTER TABLE plans ADD COLUMN reason TEXT NOT NULL DEFAULT 'solve';

-- Bearer tokens, stored only as SHA-256 hashes. `stations` is a comma-separated list for
-- dispatchers; `caregiver` is set for caregivers.
CREATE TABLE tokens (
    hash      TEXT PRIMARY KEY,
    role      TEXT NOT NULL,
    stations  TEXT NOT NULL DEFAULT '',
    caregiver TEXT,
    label     TEXT NOT NULL DEFAULT '',
    created_ms BIGINT NOT NULL
);

-- What a caregiver marked done: check-in and check-out, in seconds from local midnight of
-- the order's date, with the position reported.
CREATE TABLE visit_progress (
    visit         TEXT PRIMARY KEY REFERENCES orders(id),
    caregiver     TEXT NOT NULL,
    station       TEXT NOT NULL,
    date          TEXT NOT NULL,
    check_in_s    BIGINT NOT NULL,
    check_in_lon  DOUBLE PRECISION NOT NULL,
    check_in_lat  DOUBLE PRECISION NOT NULL,
    check_out_s   BIGINT,
    check_out_lon DOUBLE PRECISION,
    check_out_lat DOUBLE PRECISION
);
CREATE INDEX progress_by_day ON visit_progress(station, date);

CREATE TABLE absences (
    caregiver TEXT NOT NULL REFERENCES caregivers(id),
    date      TEXT NOT NULL,
    PRIMARY KEY (caregiver, date)
);

-- The last reported position of each caregiver and since when they have been off their
-- planned path (NULL: on it).
CREATE TABLE positions (
    caregiver    TEXT PRIMARY KEY REFERENCES caregivers(id),
    date         TEXT NOT NULL,
    at_s         BIGINT NOT NULL,
    lon          DOUBLE PRECISION NOT NULL,
    lat          DOUBLE PRECISION NOT NULL,
    off_since_s  BIGINT
);

-- Alerts, each raised once: `dedup` names the condition (kind, visit or caregiver episode).
CREATE TABLE alerts (
    dedup     TEXT PRIMARY KEY,
    station   TEXT NOT NULL,
    date      TEXT NOT NULL,
    caregiver TEXT,
    visit     TEXT,
    kind      TEXT NOT NULL,
    detail    TEXT NOT NULL,
    at_s      BIGINT NOT NULL
);
CREATE INDEX alerts_by_day ON alerts(station, date);

-- Each station's stream: plan versions, assignments, check-ins and alerts, numbered for
-- Last-Event-ID.
CREATE TABLE events (
    id         BIGSERIAL PRIMARY KEY,
    station    TEXT NOT NULL,
    kind       TEXT NOT NULL,
    data       TEXT NOT NULL
);
CREATE INDEX events_by_station ON events(station, id);
