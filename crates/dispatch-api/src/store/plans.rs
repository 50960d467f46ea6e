//! Plans of a plan unit's day (a station's, or a pool's) and their versions: every improving
//! version of a solve, and one version per re-plan (urgent order, absence, change). The
//! newest finished plan of a unit's day is the one its caregivers follow.

use super::{decode, StationChange, Store};
use crate::date::PlanDate;
use crate::error::AppError;
use sqlx::any::AnyRow;
use sqlx::Row;

/// A plan's header row.
#[derive(Clone, Debug)]
pub struct PlanRow {
    pub id: i64,
    /// The unit's first station.
    pub station: String,
    /// The plan unit: the station, or the pool.
    pub unit: String,
    pub date: String,
    pub status: PlanStatus,
    pub error: Option<String>,
    pub reason: String,
    /// The travel source it was made on: `roads` or `matrix v{version}` (none before 0007).
    pub travel: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum PlanStatus {
    /// Waiting for a core.
    Queued,
    Running,
    Done,
    Failed,
    Cancelled,
}

impl PlanStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PlanStatus::Queued => "queued",
            PlanStatus::Running => "running",
            PlanStatus::Done => "done",
            PlanStatus::Failed => "failed",
            PlanStatus::Cancelled => "cancelled",
        }
    }

    pub(super) fn parse(s: &str) -> Result<PlanStatus, AppError> {
        match s {
            "queued" => Ok(PlanStatus::Queued),
            "running" => Ok(PlanStatus::Running),
            "done" => Ok(PlanStatus::Done),
            "failed" => Ok(PlanStatus::Failed),
            "cancelled" => Ok(PlanStatus::Cancelled),
            other => {
                Err(AppError::Internal(format!("unknown plan status {other:?} in the database")))
            }
        }
    }

    pub fn is_finished(self) -> bool {
        !matches!(self, PlanStatus::Queued | PlanStatus::Running)
    }
}

/// One stored version of a plan.
#[derive(Clone, Debug)]
pub struct VersionRow {
    pub seq: i64,
    pub kpis: serde_json::Value,
    pub plan: serde_json::Value,
    pub is_final: bool,
}

fn version_from_row(r: &AnyRow) -> Result<VersionRow, AppError> {
    Ok(VersionRow {
        seq: r.get("seq"),
        kpis: decode(r.get::<&str, _>("kpis"))?,
        plan: decode(r.get::<&str, _>("plan"))?,
        is_final: r.get::<i64, _>("final") != 0,
    })
}

impl Store {
    /// The number of the plan's newest version (0 when none): a plan taken again after its
    /// worker stopped numbers on from there.
    pub async fn last_version_seq(&self, plan_id: i64) -> Result<i64, AppError> {
        let seq: Option<i64> =
            sqlx::query_scalar("SELECT MAX(seq) FROM plan_versions WHERE plan_id = $1")
                .bind(plan_id)
                .fetch_one(&self.pool)
                .await?;
        Ok(seq.unwrap_or(0))
    }

    pub async fn plan(&self, id: i64) -> Result<Option<PlanRow>, AppError> {
        let row = sqlx::query(
            "SELECT id, station, COALESCE(unit, station) AS unit, date, status, error, reason, \
             travel FROM plans WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(PlanRow {
                id: r.get("id"),
                station: r.get("station"),
                unit: r.get("unit"),
                date: r.get("date"),
                status: PlanStatus::parse(r.get("status"))?,
                error: r.get("error"),
                reason: r.get("reason"),
                travel: r.get("travel"),
            })
        })
        .transpose()
    }

    /// Versions of a plan with `seq` above `after`, in order.
    pub async fn versions_after(
        &self,
        plan_id: i64,
        after: i64,
    ) -> Result<Vec<VersionRow>, AppError> {
        let rows = sqlx::query(
            "SELECT seq, kpis, plan, final FROM plan_versions WHERE plan_id = $1 AND seq > $2 \
             ORDER BY seq",
        )
        .bind(plan_id)
        .bind(after)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(version_from_row).collect()
    }

    pub async fn latest_version(&self, plan_id: i64) -> Result<Option<VersionRow>, AppError> {
        let row = sqlx::query(
            "SELECT seq, kpis, plan, final FROM plan_versions WHERE plan_id = $1 \
             ORDER BY seq DESC LIMIT 1",
        )
        .bind(plan_id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(version_from_row).transpose()
    }

    /// The newest finished plan of the day of station `station`'s plan unit (or of pool
    /// `station`'s).
    pub async fn newest_done_plan(
        &self,
        station: &str,
        date: &PlanDate,
    ) -> Result<Option<i64>, AppError> {
        let unit = self.plan_unit(station).await?;
        Ok(sqlx::query_scalar(NEWEST_DONE)
            .bind(&unit.id)
            .bind(date.as_str())
            .fetch_optional(&self.pool)
            .await?)
    }

    /// The plan caregivers follow for a station's day (its unit's: a pool's plan holds every
    /// member's routes): the newest finished plan's final version, with the plan id.
    pub async fn current_plan(
        &self,
        station: &str,
        date: &PlanDate,
    ) -> Result<Option<(i64, solver::Plan)>, AppError> {
        let Some(id) = self.newest_done_plan(station, date).await? else { return Ok(None) };
        let version = self
            .latest_version(id)
            .await?
            .ok_or_else(|| AppError::Internal(format!("plan {id} is done but has no version")))?;
        Ok(Some((id, serde_json::from_value(version.plan)?)))
    }
}

impl Store {
    /// The finished plan of the same unit-day as plan `id` that was in force before it.
    pub async fn done_plan_before(&self, id: i64) -> Result<Option<i64>, AppError> {
        Ok(sqlx::query_scalar(
            "SELECT p.id FROM plans p JOIN plans q ON q.id = $1 \
             WHERE COALESCE(p.unit, p.station) = COALESCE(q.unit, q.station) \
             AND p.date = q.date AND p.status = 'done' AND p.id < $1 ORDER BY p.id DESC LIMIT 1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }
}

const NEWEST_DONE: &str = "SELECT id FROM plans WHERE unit = $1 AND date = $2 \
                           AND status = 'done' ORDER BY id DESC LIMIT 1";

/// What changes the plan a unit's caregivers follow goes through the unit's change:
/// re-plans of one day, wherever they run, are stored one after the other, each only if it
/// was made from the plan then in force.
impl StationChange {
    /// A re-plan of `date` made from plan `from`, stored as a finished plan with one final
    /// version; `Ok(None)`, and nothing stored, when another plan of the day has come into
    /// force since `from` was read (the re-plan is stale: make it again from that one).
    pub async fn store_replan(
        &mut self,
        date: &PlanDate,
        from: i64,
        (reason, travel): (&str, &str),
        version: &VersionRow,
    ) -> Result<Option<i64>, AppError> {
        let unit = self.unit().clone();
        let newest: Option<i64> = sqlx::query_scalar(NEWEST_DONE)
            .bind(&unit.id)
            .bind(date.as_str())
            .fetch_optional(self.conn())
            .await?;
        if newest != Some(from) {
            return Ok(None);
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO plans (station, unit, date, status, reason, travel) \
             VALUES ($1, $2, $3, 'done', $4, $5) RETURNING id",
        )
        .bind(first_station(&unit)?)
        .bind(&unit.id)
        .bind(date.as_str())
        .bind(reason)
        .bind(travel)
        .fetch_one(self.conn())
        .await?;
        insert_version(self.conn(), id, version, None).await?;
        Ok(Some(id))
    }

    /// A plan of the day solved outside the service (`carecircle demo-week`), stored done
    /// with its one version; `Err(id)` when plan `id` of the day is being solved.
    pub async fn store_solved_plan(
        &mut self,
        date: &PlanDate,
        travel: &str,
        version: &VersionRow,
    ) -> Result<Result<i64, i64>, AppError> {
        let id = match self.create_plan(date, travel, std::time::Duration::ZERO).await? {
            Ok(id) => id,
            Err(busy) => return Ok(Err(busy)),
        };
        insert_version(self.conn(), id, version, None).await?;
        self.move_plan(id, PlanStatus::Done, None).await?;
        Ok(Ok(id))
    }

    /// A solve of the unit's day on travel source `travel` (`roads`, `matrix v3`) for at
    /// most `time_limit`, queued (its job is pushed after the commit); `Err(id)` when plan `id`
    /// of the day is queued or running already.
    pub async fn create_plan(
        &mut self,
        date: &PlanDate,
        travel: &str,
        time_limit: std::time::Duration,
    ) -> Result<Result<i64, i64>, AppError> {
        let unit = self.unit().clone();
        let busy: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM plans WHERE unit = $1 AND date = $2 \
             AND status IN ('queued', 'running')",
        )
        .bind(&unit.id)
        .bind(date.as_str())
        .fetch_optional(self.conn())
        .await?;
        if let Some(busy) = busy {
            return Ok(Err(busy));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO plans (station, unit, date, status, reason, travel, alive_ms, \
             time_limit_ms) VALUES ($1, $2, $3, 'queued', 'solve', $4, $5, $6) RETURNING id",
        )
        .bind(first_station(&unit)?)
        .bind(&unit.id)
        .bind(date.as_str())
        .bind(travel)
        .bind(super::now_ms())
        .bind(i64::try_from(time_limit.as_millis()).unwrap_or(i64::MAX))
        .fetch_one(self.conn())
        .await?;
        Ok(Ok(id))
    }

    /// Stores a version of a plan being solved under `lease`; `Ok(false)`, and nothing
    /// stored, once the lease is lost: the plan was cancelled, or taken back from a worker
    /// that went quiet (its solver must stop).
    pub async fn add_version(
        &mut self,
        lease: &super::Lease,
        version: &VersionRow,
    ) -> Result<bool, AppError> {
        if !self.holds(lease).await? {
            return Ok(false);
        }
        insert_version(self.conn(), lease.plan, version, Some(lease.epoch)).await?;
        Ok(true)
    }

    /// Ends a queued or running plan (`to`: cancelled); `Ok(false)` when it had ended
    /// already: it keeps that end.
    pub async fn move_plan(
        &mut self,
        plan_id: i64,
        to: PlanStatus,
        error: Option<&str>,
    ) -> Result<bool, AppError> {
        let done = sqlx::query(
            "UPDATE plans SET status = $1, error = $2 WHERE id = $3 \
             AND status IN ('queued', 'running')",
        )
        .bind(to.as_str())
        .bind(error)
        .bind(plan_id)
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() > 0)
    }
}

/// The station a unit's plans are filed under (a pool's first).
fn first_station(unit: &formats::scenario::PlanUnit) -> Result<&str, AppError> {
    unit.stations
        .first()
        .map(String::as_str)
        .ok_or_else(|| AppError::Internal(format!("plan unit {:?} has no station", unit.id)))
}

async fn insert_version(
    conn: &mut sqlx::AnyConnection,
    plan_id: i64,
    version: &VersionRow,
    epoch: Option<i64>,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO plan_versions (plan_id, seq, kpis, plan, final, lease_epoch) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(plan_id)
    .bind(version.seq)
    .bind(version.kpis.to_string())
    .bind(version.plan.to_string())
    .bind(i64::from(version.is_final))
    .bind(epoch)
    .execute(conn)
    .await?;
    Ok(())
}
