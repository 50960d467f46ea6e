-- A client or their family rates a finished visit through a one-time link (only the link's
-- SHA-256 is stored): 1 to 5 stars and a comment, once. The row is made when the link is
-- issued, at check-out; stars stay NULL until the rating comes.
CREATE TABLE ratings (
    visit     TEXT PRIMARY KEY REFERENCES orders(id),
    link_hash TEXT NOT NULL UNIQUE,
    station   TEXT NOT NULL,
    caregiver TEXT NOT NULL,
    date      TEXT NOT NULL,
    stars     BIGINT,
    comment   TEXT,
    rated_ms  BIGINT
);
CREATE INDEX ratings_by_day ON ratings(station, date);
