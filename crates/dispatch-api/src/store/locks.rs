//! Visits a dispatcher locked: re-plans keep their caregiver and start as they are.

use super::{StationChange, Store};
use crate::date::PlanDate;
use crate::error::AppError;

impl StationChange {
    /// Locks a visit; `Ok(false)` when it was locked already.
    pub async fn lock_visit(
        &mut self,
        visit: &str,
        station: &str,
        date: &PlanDate,
    ) -> Result<bool, AppError> {
        let done = sqlx::query(
            "INSERT INTO visit_locks (visit, station, date) VALUES ($1, $2, $3) \
             ON CONFLICT(visit) DO NOTHING",
        )
        .bind(visit)
        .bind(station)
        .bind(date.as_str())
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Unlocks a visit; `Ok(false)` when it was not locked.
    pub async fn unlock_visit(&mut self, visit: &str) -> Result<bool, AppError> {
        let done = sqlx::query("DELETE FROM visit_locks WHERE visit = $1")
            .bind(visit)
            .execute(self.conn())
            .await?;
        Ok(done.rows_affected() > 0)
    }
}

impl Store {
    /// The locked visits of a station's day.
    pub async fn locked_visits(
        &self,
        station: &str,
        date: &PlanDate,
    ) -> Result<Vec<String>, AppError> {
        Ok(sqlx::query_scalar(
            "SELECT visit FROM visit_locks WHERE station = $1 AND date = $2 ORDER BY visit",
        )
        .bind(station)
        .bind(date.as_str())
        .fetch_all(&self.pool)
        .await?)
    }
}
