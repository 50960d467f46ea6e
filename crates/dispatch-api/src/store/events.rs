//! Each station's event stream (plan versions, assignments, check-ins, alerts). A station
//! numbers its own events 1, 2, ...: a change takes the station's counter row first, writes
//! its rows and its events in one transaction and commits, so on every replica the numbers
//! are gap-free in commit order and a reader resuming after number N never misses one that
//! commits later. The bus then wakes every replica's streams.
//!
//! On the wire an event's id is `{station}:{number}`; a plain number is an id from before
//! (one global sequence) and still finds its place.

use super::Store;
use crate::bus::Wake;
use crate::error::AppError;
use sqlx::{Any, AnyConnection, Row, Transaction};

/// One stored event.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredEvent {
    /// Its number in the station's stream.
    pub seq: i64,
    pub station: String,
    pub kind: String,
    pub data: serde_json::Value,
}

impl StoredEvent {
    /// The SSE id: `{station}:{seq}`.
    pub fn sse_id(&self) -> String {
        format!("{}:{}", self.station, self.seq)
    }
}

/// Where a reader of a station's stream resumes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResumeFrom {
    /// After this number of the station's stream.
    Seq(i64),
    /// After this global id of the old numbering.
    LegacyId(i64),
}

impl ResumeFrom {
    /// `S1:42` (its station must be `station`) or an old-style `42`; `Err` names the reason.
    pub fn parse(text: &str, station: &str) -> Result<ResumeFrom, String> {
        let text = text.trim();
        if let Ok(old) = text.parse::<i64>() {
            return Ok(ResumeFrom::LegacyId(old));
        }
        let Some((of, seq)) = text.rsplit_once(':') else {
            return Err(format!("{text:?} is no event id: expected \"{station}:N\""));
        };
        if of != station {
            return Err(format!("{text:?} is an event of station {of:?}, not of {station:?}"));
        }
        match seq.parse::<i64>() {
            Ok(n) if n >= 0 => Ok(ResumeFrom::Seq(n)),
            _ => Err(format!("{text:?}: the part after ':' must be a number of 0 or more")),
        }
    }
}

/// A change of one station's data and the events that announce it, in one transaction. Made
/// by [`Store::change`]; nothing of it is stored unless [`StationChange::commit`] is called.
pub struct StationChange {
    tx: Transaction<'static, Any>,
    store: Store,
    station: String,
    /// The station's newest number when the change began.
    first: i64,
    /// The number of the change's newest event.
    seq: i64,
}

impl StationChange {
    /// The transaction, for the change's own statements.
    pub fn conn(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }

    pub fn station(&self) -> &str {
        &self.station
    }

    /// Adds an event to the change; returns its number.
    pub async fn event(&mut self, kind: &str, data: &serde_json::Value) -> Result<i64, AppError> {
        self.seq += 1;
        sqlx::query("INSERT INTO events (station, seq, kind, data) VALUES ($1, $2, $3, $4)")
            .bind(&self.station)
            .bind(self.seq)
            .bind(kind)
            .bind(data.to_string())
            .execute(&mut *self.tx)
            .await?;
        Ok(self.seq)
    }

    /// Stores the change and its events, then wakes every replica's streams of the station.
    pub async fn commit(mut self) -> Result<(), AppError> {
        let added = self.seq - self.first;
        if added > 0 {
            sqlx::query("UPDATE station_events SET seq = $2 WHERE station = $1")
                .bind(&self.station)
                .bind(self.seq)
                .execute(&mut *self.tx)
                .await?;
        }
        self.tx.commit().await?;
        if added > 0 {
            let bus = &self.store.bus;
            bus.counters().events_published(added.unsigned_abs());
            bus.publish(Wake::Events(self.station));
        }
        Ok(())
    }
}

impl Store {
    /// Begins a change of `station`'s data. It takes the station's counter row at once, so
    /// changes of one station wait for each other, on every replica: a change that reads the
    /// station's state after this reads it as the last committed change left it.
    pub async fn change(&self, station: &str) -> Result<StationChange, AppError> {
        let mut tx = super::begin_write(&self.pool, self.backend).await?;
        let first: i64 = sqlx::query_scalar(
            "INSERT INTO station_events (station, seq) VALUES ($1, 0) \
             ON CONFLICT (station) DO UPDATE SET seq = station_events.seq RETURNING seq",
        )
        .bind(station)
        .fetch_one(&mut *tx)
        .await?;
        Ok(StationChange {
            tx,
            store: self.clone(),
            station: station.to_string(),
            first,
            seq: first,
        })
    }

    /// Stores one event on its own (a change with nothing else in it); returns its number.
    pub async fn append_event(
        &self,
        station: &str,
        kind: &str,
        data: &serde_json::Value,
    ) -> Result<i64, AppError> {
        let mut change = self.change(station).await?;
        let seq = change.event(kind, data).await?;
        change.commit().await?;
        Ok(seq)
    }

    /// Up to `limit` events of a station after number `after`, in order.
    pub async fn events_after(
        &self,
        station: &str,
        after: i64,
        limit: i64,
    ) -> Result<Vec<StoredEvent>, AppError> {
        let rows = sqlx::query(
            "SELECT seq, station, kind, data FROM events WHERE station = $1 AND seq > $2 \
             ORDER BY seq LIMIT $3",
        )
        .bind(station)
        .bind(after)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(StoredEvent {
                    seq: r.get("seq"),
                    station: r.get("station"),
                    kind: r.get("kind"),
                    data: serde_json::from_str(r.get::<&str, _>("data"))?,
                })
            })
            .collect()
    }

    /// The newest event number of a station (0 when none).
    pub async fn last_event_seq(&self, station: &str) -> Result<i64, AppError> {
        let seq: Option<i64> =
            sqlx::query_scalar("SELECT seq FROM station_events WHERE station = $1")
                .bind(station)
                .fetch_optional(&self.pool)
                .await?;
        Ok(seq.unwrap_or(0))
    }

    /// The number to resume a station's stream after.
    pub async fn resume_seq(&self, station: &str, from: ResumeFrom) -> Result<i64, AppError> {
        match from {
            ResumeFrom::Seq(n) => Ok(n),
            // Old ids grew with every station's events: the station's events up to that id
            // are the ones the reader had.
            ResumeFrom::LegacyId(id) => {
                let seq: Option<i64> = sqlx::query_scalar(
                    "SELECT MAX(seq) FROM events WHERE station = $1 AND id <= $2",
                )
                .bind(station)
                .bind(id)
                .fetch_one(&self.pool)
                .await?;
                Ok(seq.unwrap_or(0))
            }
        }
    }

    /// Wakes on every new event of any replica; a lagging receiver should read the store.
    pub fn event_wakeups(&self) -> tokio::sync::broadcast::Receiver<Wake> {
        self.bus.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::ResumeFrom;

    #[test]
    fn resume_ids_of_both_numberings() {
        assert_eq!(ResumeFrom::parse("S1:42", "S1"), Ok(ResumeFrom::Seq(42)));
        assert_eq!(ResumeFrom::parse("a:b:7", "a:b"), Ok(ResumeFrom::Seq(7)));
        assert_eq!(ResumeFrom::parse(" 17 ", "S1"), Ok(ResumeFrom::LegacyId(17)));
        assert_eq!(ResumeFrom::parse("-1", "S1"), Ok(ResumeFrom::LegacyId(-1)));
        for bad in ["S2:4", "S1:x", "S1:-3", "hello", ""] {
            assert!(ResumeFrom::parse(bad, "S1").is_err(), "{bad}");
        }
    }
}
