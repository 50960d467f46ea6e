//! Stations' own travel matrices: every upload is a version (its row id); the newest is the
//! one a station's days are planned on, until it is dropped (back to the roads).

use super::{now_ms, StationChange, Store};
use crate::error::AppError;
use sqlx::Row;

/// What is stored about one matrix version, without its body.
#[derive(Clone, Debug, serde::Serialize)]
pub struct MatrixRow {
    pub version: i64,
    pub station: String,
    pub points: i64,
    /// The travel modes it has times for, comma-separated.
    pub modes: String,
    pub uploaded_ms: i64,
}

impl Store {
    /// The newest matrix of `station`, if it has one.
    pub async fn newest_matrix(&self, station: &str) -> Result<Option<MatrixRow>, AppError> {
        let row = sqlx::query(
            "SELECT id, station, points, modes, uploaded_ms FROM station_matrices \
             WHERE station = $1 ORDER BY id DESC LIMIT 1",
        )
        .bind(station)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| MatrixRow {
            version: r.get("id"),
            station: r.get("station"),
            points: r.get("points"),
            modes: r.get("modes"),
            uploaded_ms: r.get("uploaded_ms"),
        }))
    }

    /// The body (JSON spelling) of matrix version `version`.
    pub async fn matrix_body(&self, version: i64) -> Result<Option<String>, AppError> {
        Ok(sqlx::query_scalar("SELECT body FROM station_matrices WHERE id = $1")
            .bind(version)
            .fetch_optional(&self.pool)
            .await?)
    }
}

/// Changes a station's dispatchers hear of, each with its event.
impl StationChange {
    /// Stores a new version of `station`'s matrix (its JSON spelling) and answers it.
    pub async fn put_matrix(
        &mut self,
        station: &str,
        points: usize,
        modes: &str,
        body: &str,
    ) -> Result<MatrixRow, AppError> {
        let uploaded_ms = now_ms();
        let points = i64::try_from(points).unwrap_or(i64::MAX);
        let version: i64 = sqlx::query_scalar(
            "INSERT INTO station_matrices (station, points, modes, body, uploaded_ms) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(station)
        .bind(points)
        .bind(modes)
        .bind(body)
        .bind(uploaded_ms)
        .fetch_one(self.conn())
        .await?;
        Ok(MatrixRow {
            version,
            station: station.to_string(),
            points,
            modes: modes.into(),
            uploaded_ms,
        })
    }

    /// Drops every version of `station`'s matrix: its days go back to the roads. Plans that
    /// used one keep its version in their `travel`.
    pub async fn drop_matrices(&mut self, station: &str) -> Result<u64, AppError> {
        let done = sqlx::query("DELETE FROM station_matrices WHERE station = $1")
            .bind(station)
            .execute(self.conn())
            .await?;
        Ok(done.rows_affected())
    }
}
