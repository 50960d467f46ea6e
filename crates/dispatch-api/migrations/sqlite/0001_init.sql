-- Master data comes from scenario files; each row keeps the scenario's JSON as it was given,
-- so nothing is lost, and the columns the service filters on.
CREATE TABLE stations (
    id   TEXT PRIMARY KEY,
    body TEXT NOT NULL
);

CREATE TABLE caregivers (
    id      TEXT PRIMARY KEY,
    station TEXT NOT NULL REFERENCES stations(id),
    body    TEXT NOT NULL
);

CREATE TABLE clients (
    id      TEXT PRIMARY KEY,
    station TEXT NOT NULL REFERENCES stations(id),
    body    TEXT NOT NULL
);

-- An order becomes one visit on its date.
CREATE TABLE orders (
    id         TEXT PRIMARY KEY,
    client     TEXT NOT NULL REFERENCES clients(id),
    date       TEXT NOT NULL,
    status     TEXT NOT NULL DEFAULT 'open',
    body       TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX orders_by_date ON orders(date, client);

-- The first answer to each Idempotency-Key, with the request it answered.
CREATE TABLE idempotency_keys (
    key      TEXT PRIMARY KEY,
    request  TEXT NOT NULL,
    status   INTEGER NOT NULL,
    response TEXT NOT NULL
);

CREATE TABLE plans (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    station    TEXT NOT NULL REFERENCES stations(id),
    date       TEXT NOT NULL,
    status     TEXT NOT NULL,
    error      TEXT,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX plans_by_day ON plans(station, date);

-- Every improving version of a plan, checked before it is stored; the last one is final.
CREATE TABLE plan_versions (
    plan_id  INTEGER NOT NULL REFERENCES plans(id),
    seq      INTEGER NOT NULL,
    kpis     TEXT NOT NULL,
    plan     TEXT NOT NULL,
    final    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (plan_id, seq)
);
