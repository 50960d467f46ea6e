-- PostgreSQL twin of sqlite/0001_init.sql: the same tables, columns and meanings; only the
-- dialect differs (BIGSERIAL for AUTOINCREMENT, BIGINT for INTEGER, the timestamp default).
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

CREATE TABLE orders (
    id         TEXT PRIMARY KEY,
    client     TEXT NOT NULL REFERENCES clients(id),
    date       TEXT NOT NULL,
    status     TEXT NOT NULL DEFAULT 'open',
    body       TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
);
CREATE INDEX orders_by_date ON orders(date, client);

CREATE TABLE idempotency_keys (
    key      TEXT PRIMARY KEY,
    request  TEXT NOT NULL,
    status   BIGINT NOT NULL,
    response TEXT NOT NULL
);

CREATE TABLE plans (
    id         BIGSERIAL PRIMARY KEY,
    station    TEXT NOT NULL REFERENCES stations(id),
    date       TEXT NOT NULL,
    status     TEXT NOT NULL,
    error      TEXT,
    created_at TEXT NOT NULL DEFAULT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
);
CREATE INDEX plans_by_day ON plans(station, date);

CREATE TABLE plan_versions (
    plan_id  BIGINT NOT NULL REFERENCES plans(id),
    seq      BIGINT NOT NULL,
    kpis     TEXT NOT NULL,
    plan     TEXT NOT NULL,
    final    BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (plan_id, seq)
);
