//! Each station's event stream (plan versions, assignments, check-ins, alerts). A station
//! numbers its own events 1, 2, ...: a change takes the station's counter row first, writes
//! its rows and its events in one transaction and commits, so on every replica the numbers
//! are gap-free in commit order and a reader resuming after number N never misses one that
//! commits later. The bus then wakes every replica's streams. A change of a pooled station is
//! a change of its pool: it takes every member's counter row (in id order, so two changes
//! never wait for each other crosswise) and puts each event on every member's stream.
//!
//! On the wire an event's id is `{station}:{number}`; a plain number is an id from before
//! (one global sequence) and still finds its place.

use super::Store;
use crate::bus::Wake;
use crate::error::AppError;
use formats::scenario::PlanUnit;
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

/// A change of one plan unit's data (a station's, or a pool's) and the events that announce
/// it, in one transaction. Made by [`Store::change`]; nothing of it is stored unless
/// [`StationChange::commit`] is called.
pub struct StationChange {
    tx: Transaction<'static, Any>,
    store: Store,
    /// What the change was begun for: a station, or a pool.
    station: String,
    unit: PlanUnit,
    /// Per member station of the unit (in the unit's order): its newest number when the
    /// change began, and the number of the change's newest event on its stream.
    numbers: Vec<(i64, i64)>,
}

impl StationChange {
    /// The transaction, for the change's own statements.
    pub fn conn(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }

    /// The station (or pool) the change was begun for.
    pub fn station(&self) -> &str {
        &self.station
    }

    /// The plan unit it changes: the station alone, or its pool.
    pub fn unit(&self) -> &PlanUnit {
        &self.unit
    }

    /// Adds an event to the change, on every member station's stream.
    pub async fn event(&mut self, kind: &str, data: &serde_json::Value) -> Result<(), AppError> {
        let data = data.to_string();
        for (station, (_, seq)) in self.unit.stations.iter().zip(&mut self.numbers) {
            *seq += 1;
            sqlx::query("INSERT INTO events (station, seq, kind, data) VALUES ($1, $2, $3, $4)")
                .bind(station)
                .bind(*seq)
                .bind(kind)
                .bind(&data)
                .execute(&mut *self.tx)
                .await?;
        }
        Ok(())
    }

    /// Stores the change and its events, then wakes every replica's streams of its stations.
    pub async fn commit(mut self) -> Result<(), AppError> {
        let mut woken = Vec::new();
        let mut added = 0;
        for (station, &(first, seq)) in self.unit.stations.iter().zip(&self.numbers) {
            if seq > first {
                sqlx::query("UPDATE station_events SET seq = $2 WHERE station = $1")
                    .bind(station)
                    .bind(seq)
                    .execute(&mut *self.tx)
                    .await?;
                added += seq - first;
                woken.push(station.clone());
            }
        }
        self.tx.commit().await?;
        let bus = &self.store.bus;
        if added > 0 {
            bus.counters().events_published(added.unsigned_abs());
        }
        for station in woken {
            bus.publish(Wake::Events(station));
        }
        Ok(())
    }
}

impl Store {
    /// Begins a change of `station`'s data (or of pool `station`'s): of its plan unit. It
    /// takes the counter row of each of the unit's stations at once, so changes of one unit
    /// wait for each other, on every replica: a change that reads the unit's state after this
    /// reads it as the last committed change left it.
    pub async fn change(&self, station: &str) -> Result<StationChange, AppError> {
        let unit = self.plan_unit(station).await?;
        let mut tx = super::begin_write(&self.pool, self.backend).await?;
        // In id order: two changes of overlapping units never hold one row each of the other.
        let mut order: Vec<usize> = (0..unit.stations.len()).collect();
        order.sort_by(|&a, &b| unit.stations[a].cmp(&unit.stations[b]));
        let mut numbers = vec![(0, 0); unit.stations.len()];
        for i in order {
            let first: i64 = sqlx::query_scalar(
                "INSERT INTO station_events (station, seq) VALUES ($1, 0) \
                 ON CONFLICT (station) DO UPDATE SET seq = station_events.seq RETURNING seq",
            )
            .bind(&unit.stations[i])
            .fetch_one(&mut *tx)
            .await?;
            numbers[i] = (first, first);
        }
        Ok(StationChange { tx, store: self.clone(), station: station.to_string(), unit, numbers })
    }

    /// Stores one event on its own (a change with nothing else in it).
    pub async fn append_event(
        &self,
        station: &str,
        kind: &str,
        data: &serde_json::Value,
    ) -> Result<(), AppError> {
        let mut change = self.change(station).await?;
        change.event(kind, data).await?;
        change.commit().await
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
