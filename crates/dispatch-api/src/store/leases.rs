//! Leases of plans being solved: the authority on who may store a plan's versions. A worker
//! claims a queued plan (or one whose lease went unrenewed for [`LEASE_FOR`]), which raises the
//! plan's epoch; it renews the lease every few seconds and every version it stores is checked
//! against its owner and epoch in the version's own transaction (fencing: a worker that lost
//! its lease, paused or cut off, stores nothing). A lease unrenewed for [`LEASE_FOR`] is taken
//! back by any process: the plan is queued again, or failed after [`MAX_ATTEMPTS`].

use super::{now_ms, PlanStatus, StationChange, Store};
use crate::error::AppError;
use sqlx::Row;
use std::time::Duration;

/// How long a lease holds without renewal.
pub const LEASE_FOR: Duration = Duration::from_secs(30);
/// How often a worker renews its leases.
pub const RENEW_EVERY: Duration = Duration::from_secs(5);
/// How many workers may take a plan before it is failed (each one stopped while solving it).
pub const MAX_ATTEMPTS: i64 = 3;

/// A worker's hold on a plan being solved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lease {
    pub plan: i64,
    pub owner: String,
    pub epoch: i64,
}

/// What a claim found.
#[derive(Debug, PartialEq, Eq)]
pub enum Claimed {
    /// Solve it: the lease, this attempt's number and the plan's time limit.
    Held { lease: Lease, attempt: i64, time_limit_ms: Option<i64> },
    /// Another worker holds a live lease: nothing to do.
    Busy,
    /// Done, failed or cancelled already (or no such plan): nothing to do.
    Finished,
    /// Taken too often (its workers kept stopping): failed now.
    GaveUp { attempts: i64 },
}

/// A plan whose lease expired, taken back by [`Store::take_back_expired`].
#[derive(Debug)]
pub struct TakenBack {
    pub plan: i64,
    /// Its plan unit: a station, or a pool.
    pub unit: String,
    pub date: String,
    /// `Failed` after [`MAX_ATTEMPTS`], else `Queued` (to be pushed again).
    pub status: PlanStatus,
}

/// Marks `lease` renewed now, if it still holds (no row updated: it was lost).
fn renewal(lease: &Lease) -> sqlx::query::Query<'_, sqlx::Any, sqlx::any::AnyArguments<'_>> {
    sqlx::query(
        "UPDATE plans SET alive_ms = $4 WHERE id = $1 AND status = 'running' \
         AND lease_owner = $2 AND lease_epoch = $3",
    )
    .bind(lease.plan)
    .bind(&lease.owner)
    .bind(lease.epoch)
    .bind(now_ms())
}

fn stale_before(now: i64) -> i64 {
    now - LEASE_FOR.as_millis() as i64
}

impl StationChange {
    /// Claims plan `plan` of this station for `owner`: a queued plan, or a running one whose
    /// lease expired. Fails the plan (with its `plan_finished` event) when it has been taken
    /// [`MAX_ATTEMPTS`] times already.
    pub async fn claim_plan(&mut self, plan: i64, owner: &str) -> Result<Claimed, AppError> {
        let now = now_ms();
        let row = sqlx::query(
            "UPDATE plans SET status = 'running', lease_owner = $2, \
             lease_epoch = lease_epoch + 1, attempts = attempts + 1, alive_ms = $3 \
             WHERE id = $1 AND (status = 'queued' OR (status = 'running' \
             AND (alive_ms IS NULL OR alive_ms < $4))) \
             RETURNING lease_epoch, attempts, time_limit_ms, date",
        )
        .bind(plan)
        .bind(owner)
        .bind(now)
        .bind(stale_before(now))
        .fetch_optional(self.conn())
        .await?;
        let Some(row) = row else {
            let status: Option<String> =
                sqlx::query_scalar("SELECT status FROM plans WHERE id = $1")
                    .bind(plan)
                    .fetch_optional(self.conn())
                    .await?;
            return Ok(match status.as_deref() {
                Some("queued" | "running") => Claimed::Busy,
                _ => Claimed::Finished,
            });
        };
        let attempts: i64 = row.get("attempts");
        if attempts > MAX_ATTEMPTS {
            let error = gave_up(attempts - 1);
            sqlx::query(
                "UPDATE plans SET status = 'failed', error = $2, lease_owner = NULL WHERE id = $1",
            )
            .bind(plan)
            .bind(&error)
            .execute(self.conn())
            .await?;
            let date: String = row.get("date");
            let event = serde_json::json!({"plan": plan, "date": date,
                                           "status": PlanStatus::Failed, "error": error});
            self.event("plan_finished", &event).await?;
            return Ok(Claimed::GaveUp { attempts: attempts - 1 });
        }
        Ok(Claimed::Held {
            lease: Lease { plan, owner: owner.to_string(), epoch: row.get("lease_epoch") },
            attempt: attempts,
            time_limit_ms: row.get("time_limit_ms"),
        })
    }

    /// Whether `lease` still holds, checked (and renewed) with the plan's row locked until
    /// this change commits: a version stored in this change is stored under the lease.
    pub async fn holds(&mut self, lease: &Lease) -> Result<bool, AppError> {
        let held = renewal(lease).execute(self.conn()).await?;
        Ok(held.rows_affected() > 0)
    }

    /// Ends a plan solved under `lease` (done or failed); `false`, and nothing changed, when
    /// the lease was lost (cancelled, or taken back).
    pub async fn finish_leased(
        &mut self,
        lease: &Lease,
        to: PlanStatus,
        error: Option<&str>,
    ) -> Result<bool, AppError> {
        let done = sqlx::query(
            "UPDATE plans SET status = $1, error = $2, lease_owner = NULL WHERE id = $3 \
             AND status = 'running' AND lease_owner = $4 AND lease_epoch = $5",
        )
        .bind(to.as_str())
        .bind(error)
        .bind(lease.plan)
        .bind(&lease.owner)
        .bind(lease.epoch)
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() > 0)
    }
}

fn gave_up(attempts: i64) -> String {
    format!("failed: the {attempts} workers that took it stopped before it finished")
}

impl Store {
    /// Renews `lease`; `false` once it is lost (the plan was cancelled, finished or taken
    /// back): its search must stop.
    pub async fn renew(&self, lease: &Lease) -> Result<bool, AppError> {
        let held = renewal(lease).execute(&self.pool).await?;
        Ok(held.rows_affected() > 0)
    }

    /// Gives a plan back unfinished (its worker is stopping): queued again, the attempt not
    /// counted. Its job stays on the queue (handed back), so it is not pushed again.
    pub async fn hand_back(&self, lease: &Lease) -> Result<bool, AppError> {
        let done = sqlx::query(
            "UPDATE plans SET status = 'queued', lease_owner = NULL, alive_ms = $4, \
             attempts = attempts - 1 \
             WHERE id = $1 AND status = 'running' AND lease_owner = $2 AND lease_epoch = $3",
        )
        .bind(lease.plan)
        .bind(&lease.owner)
        .bind(lease.epoch)
        .bind(now_ms())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Takes back every lease unrenewed for [`LEASE_FOR`]: the plan is queued again (to be
    /// pushed), or failed once [`MAX_ATTEMPTS`] workers took it. Safe on every process at
    /// once: each plan is taken back by one.
    pub async fn take_back_expired(&self) -> Result<Vec<TakenBack>, AppError> {
        let now = now_ms();
        let rows = sqlx::query(
            "UPDATE plans SET \
               status = CASE WHEN attempts >= $3 THEN 'failed' ELSE 'queued' END, \
               error = CASE WHEN attempts >= $3 THEN $4 ELSE error END, \
               lease_owner = NULL, pushed_ms = NULL, alive_ms = $2 \
             WHERE status = 'running' AND (alive_ms IS NULL OR alive_ms < $1) \
             RETURNING id, COALESCE(unit, station) AS unit, date, status",
        )
        .bind(stale_before(now))
        .bind(now)
        .bind(MAX_ATTEMPTS)
        .bind(gave_up(MAX_ATTEMPTS))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(TakenBack {
                    plan: r.get("id"),
                    unit: r.get("unit"),
                    date: r.get("date"),
                    status: PlanStatus::parse(r.get("status"))?,
                })
            })
            .collect()
    }

    /// Takes back the leases of instance `owner` (a worker restarting under its stable id:
    /// what it held before it stopped is not being solved by anyone); touches no other
    /// instance's. Returns how many.
    pub async fn take_back_own(&self, owner: &str) -> Result<u64, AppError> {
        let done = sqlx::query(
            "UPDATE plans SET status = 'queued', lease_owner = NULL, pushed_ms = NULL, \
             alive_ms = 0 WHERE status = 'running' AND lease_owner = $1",
        )
        .bind(owner)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }

    /// Forgets that queued plans were pushed, and takes back every lease: this process's
    /// queue is in its memory and new (SQLite: one process), so nothing else holds them.
    pub async fn requeue_all(&self) -> Result<(), AppError> {
        sqlx::query(
            "UPDATE plans SET status = 'queued', lease_owner = NULL, pushed_ms = NULL, \
             alive_ms = 0 WHERE status IN ('queued', 'running')",
        )
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Claims the push of one queued plan not on the queue and not touched for a few seconds
    /// (its pusher stopped, or the queue was away): returns it, marked touched so no other
    /// process pushes it for a while. [`Store::pushed`] confirms the push.
    pub async fn unpushed_plan(&self) -> Result<Option<i64>, AppError> {
        let now = now_ms();
        let quiet = now - PUSH_AFTER.as_millis() as i64;
        let candidates: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM plans WHERE status = 'queued' AND pushed_ms IS NULL \
             AND (alive_ms IS NULL OR alive_ms < $1) ORDER BY id LIMIT 20",
        )
        .bind(quiet)
        .fetch_all(&self.pool)
        .await?;
        for id in candidates {
            let claimed = sqlx::query(
                "UPDATE plans SET alive_ms = $2 WHERE id = $1 AND status = 'queued' \
                 AND pushed_ms IS NULL AND (alive_ms IS NULL OR alive_ms < $3)",
            )
            .bind(id)
            .bind(now)
            .bind(quiet)
            .execute(&self.pool)
            .await?;
            if claimed.rows_affected() > 0 {
                return Ok(Some(id));
            }
        }
        Ok(None)
    }

    /// The queue holds plan `plan`'s job.
    pub async fn pushed(&self, plan: i64) -> Result<(), AppError> {
        sqlx::query("UPDATE plans SET pushed_ms = $2 WHERE id = $1")
            .bind(plan)
            .bind(now_ms())
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

/// A queued plan unpushed this long (its process stopped between storing and pushing it) is
/// pushed by any process.
pub const PUSH_AFTER: Duration = Duration::from_secs(5);
