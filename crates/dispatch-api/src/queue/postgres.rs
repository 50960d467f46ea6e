//! Jobs in a PostgreSQL table (`solve_jobs`, migration 0014), for deployments without NATS. A
//! worker takes the oldest visible job with `FOR UPDATE SKIP LOCKED` (workers never wait for
//! each other) and hides it for [`ACK_WAIT`]; it renews that while it works, deletes the row
//! when done, and a worker killed mid-job lets the row show again.

use super::{Job, QueueError, Receipt, SolveQueue, Taken, ACK_WAIT, MAX_DELIVER};
use crate::store::now_ms;
use futures_util::future::BoxFuture;
use futures_util::FutureExt;
use sqlx::{AnyPool, Row};
use std::time::Duration;

/// How often a waiting worker looks for a job.
const LOOK_EVERY: Duration = Duration::from_millis(200);

#[derive(Debug, Clone)]
pub struct PgQueue {
    pool: AnyPool,
}

impl PgQueue {
    pub fn new(pool: AnyPool) -> PgQueue {
        PgQueue { pool }
    }

    /// The oldest visible job, hidden for [`ACK_WAIT`] in the transaction that takes it. A job
    /// delivered [`MAX_DELIVER`] times is dropped (its plan's lease gives up on it sooner).
    async fn take_one(&self) -> Result<Option<Taken>, QueueError> {
        let now = now_ms();
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query(
            "SELECT id, payload, deliveries FROM solve_jobs WHERE visible_ms <= $1 \
             ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED",
        )
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let (id, payload, deliveries): (i64, String, i64) =
            (row.get("id"), row.get("payload"), row.get::<i64, _>("deliveries") + 1);
        if deliveries > MAX_DELIVER {
            sqlx::query("DELETE FROM solve_jobs WHERE id = $1").bind(id).execute(&mut *tx).await?;
            tx.commit().await?;
            tracing::warn!(job = id, deliveries, "job delivered too often: dropped");
            return Ok(None);
        }
        sqlx::query("UPDATE solve_jobs SET visible_ms = $2, deliveries = $3 WHERE id = $1")
            .bind(id)
            .bind(now + ACK_WAIT.as_millis() as i64)
            .bind(deliveries)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        let receipt = PgReceipt { pool: self.pool.clone(), id };
        Ok(Some(Taken {
            job: Job::decode(payload.as_bytes()),
            deliveries,
            receipt: Box::new(receipt),
        }))
    }
}

struct PgReceipt {
    pool: AnyPool,
    id: i64,
}

impl PgReceipt {
    async fn show_at(pool: &AnyPool, id: i64, at_ms: i64) -> Result<(), QueueError> {
        sqlx::query("UPDATE solve_jobs SET visible_ms = $2 WHERE id = $1")
            .bind(id)
            .bind(at_ms)
            .execute(pool)
            .await?;
        Ok(())
    }
}

impl Receipt for PgReceipt {
    fn progress(&self) -> BoxFuture<'_, Result<(), QueueError>> {
        PgReceipt::show_at(&self.pool, self.id, now_ms() + ACK_WAIT.as_millis() as i64).boxed()
    }

    fn done(self: Box<Self>) -> BoxFuture<'static, Result<(), QueueError>> {
        async move {
            sqlx::query("DELETE FROM solve_jobs WHERE id = $1")
                .bind(self.id)
                .execute(&self.pool)
                .await?;
            Ok(())
        }
        .boxed()
    }

    fn hand_back(self: Box<Self>, delay: Duration) -> BoxFuture<'static, Result<(), QueueError>> {
        async move {
            PgReceipt::show_at(&self.pool, self.id, now_ms() + delay.as_millis() as i64).await
        }
        .boxed()
    }
}

impl SolveQueue for PgQueue {
    fn push(&self, job: &Job) -> BoxFuture<'_, Result<(), QueueError>> {
        let payload = job.encode();
        async move {
            sqlx::query("INSERT INTO solve_jobs (payload, visible_ms) VALUES ($1, $2)")
                .bind(payload)
                .bind(now_ms())
                .execute(&self.pool)
                .await?;
            Ok(())
        }
        .boxed()
    }

    fn take(&self, wait: Duration) -> BoxFuture<'_, Result<Option<Taken>, QueueError>> {
        async move {
            let deadline = tokio::time::Instant::now() + wait;
            loop {
                if let Some(taken) = self.take_one().await? {
                    return Ok(Some(taken));
                }
                if tokio::time::Instant::now() + LOOK_EVERY > deadline {
                    return Ok(None);
                }
                tokio::time::sleep(LOOK_EVERY).await;
            }
        }
        .boxed()
    }

    fn depth(&self) -> BoxFuture<'_, Result<u64, QueueError>> {
        async move {
            let n: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM solve_jobs").fetch_one(&self.pool).await?;
            Ok(n.max(0) as u64)
        }
        .boxed()
    }

    fn kind(&self) -> &'static str {
        "postgres"
    }
}
