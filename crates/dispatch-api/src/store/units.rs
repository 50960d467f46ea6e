//! Plan units: what is planned, locked and re-planned as one. A station in no active pool is
//! its own unit; the stations of an active pool are one unit named by the pool's id. Every
//! station's change, plan and re-plan goes through its unit, so a pool's day has one plan and
//! one lock, and its events go on every member station's stream.

use super::{decode, Store};
use crate::error::AppError;
use formats::scenario::{PlanUnit, Pool};
use sqlx::Row;

impl Store {
    /// The unit `key` names: a pool's id (active or not: its plans keep naming it), else the
    /// active pool holding station `key`, else station `key` alone.
    pub async fn plan_unit(&self, key: &str) -> Result<PlanUnit, AppError> {
        let rows =
            sqlx::query("SELECT active, body FROM pools ORDER BY id").fetch_all(&self.pool).await?;
        let mut holding = None;
        for row in &rows {
            let pool: Pool = decode(row.get::<&str, _>("body"))?;
            if pool.id == key {
                return Ok(PlanUnit { id: pool.id, stations: pool.stations });
            }
            if row.get::<i64, _>("active") != 0 && pool.stations.iter().any(|s| s == key) {
                holding = Some(pool);
            }
        }
        Ok(match holding {
            Some(pool) => PlanUnit { id: pool.id, stations: pool.stations },
            None => PlanUnit { id: key.to_string(), stations: vec![key.to_string()] },
        })
    }

    /// The active pools, in id order.
    pub async fn active_pools(&self) -> Result<Vec<Pool>, AppError> {
        self.all_active(super::MasterKind::Pools).await
    }
}
