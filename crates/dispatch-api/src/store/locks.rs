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
    /// The locked visits of the day of a station's plan unit (a pooled station's: the whole
    /// pool's).
    pub async fn locked_visits(
        &self,
        station: &str,
        date: &PlanDate,
    ) -> Result<Vec<String>, AppError> {
        let unit = self.plan_unit(station).await?;
        let sql = format!(
            "SELECT visit FROM visit_locks WHERE date = $1 AND station IN ({}) ORDER BY visit",
            super::marks(2, unit.stations.len())
        );
        let mut query = sqlx::query_scalar(&sql).bind(date.as_str());
        for s in &unit.stations {
            query = query.bind(s);
        }
        Ok(query.fetch_all(&self.pool).await?)
    }
}
