//! Each station's event stream (plan versions, assignments, check-ins, alerts), numbered by
//! the database so a client resumes after `Last-Event-ID` without gaps.

use super::Store;
use crate::error::AppError;
use sqlx::Row;
use tokio::sync::broadcast;

/// One stored event.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredEvent {
    pub id: i64,
    pub station: String,
    pub kind: String,
    pub data: serde_json::Value,
}

impl Store {
    /// Appends an event to a station's stream and wakes its listeners; returns its id.
    pub async fn append_event(
        &self,
        station: &str,
        kind: &str,
        data: &serde_json::Value,
    ) -> Result<i64, AppError> {
        let id: i64 = {
            let _in_order = self.event_append.lock().await;
            sqlx::query_scalar(
                "INSERT INTO events (station, kind, data) VALUES ($1, $2, $3) RETURNING id",
            )
            .bind(station)
            .bind(kind)
            .bind(data.to_string())
            .fetch_one(&self.pool)
            .await?
        };
        // Nobody listening is fine.
        let _ = self.event_wake.send(station.to_string());
        Ok(id)
    }

    /// Up to `limit` events of a station after `after`, in order.
    pub async fn events_after(
        &self,
        station: &str,
        after: i64,
        limit: i64,
    ) -> Result<Vec<StoredEvent>, AppError> {
        let rows = sqlx::query(
            "SELECT id, station, kind, data FROM events WHERE station = $1 AND id > $2 \
             ORDER BY id LIMIT $3",
        )
        .bind(station)
        .bind(after)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(StoredEvent {
                    id: r.get("id"),
                    station: r.get("station"),
                    kind: r.get("kind"),
                    data: serde_json::from_str(r.get::<&str, _>("data"))?,
                })
            })
            .collect()
    }

    /// The newest event id of a station (0 when none).
    pub async fn last_event_id(&self, station: &str) -> Result<i64, AppError> {
        let id: Option<i64> = sqlx::query_scalar("SELECT MAX(id) FROM events WHERE station = $1")
            .bind(station)
            .fetch_one(&self.pool)
            .await?;
        Ok(id.unwrap_or(0))
    }

    /// Wakes on every appended event with the station's id; a lagging receiver should just
    /// read the store again.
    pub fn event_wakeups(&self) -> broadcast::Receiver<String> {
        self.event_wake.subscribe()
    }
}
