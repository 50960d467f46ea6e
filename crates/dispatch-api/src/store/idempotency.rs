//! Idempotency keys. A write claims its key before it runs (an `in progress` row), so two
//! requests with one key at the same instant have one effect: the second sees the claim and
//! is told to wait, or, once the first is done, gets the first's answer. A failed write gives
//! its key back. Keys are kept [`KEEP`] from their claim; a claim left behind by a process
//! that stopped mid-write is taken over after [`ABANDONED`].

use super::{now_ms, Store};
use crate::error::AppError;
use sqlx::Row;
use std::sync::atomic::Ordering;
use std::time::Duration;

/// How long a key and its answer are kept: a retry within this time gets the first answer;
/// after it, the key is free again.
pub const KEEP: Duration = Duration::from_secs(24 * 3600);
/// A claim older than this is a write that never finished (its process stopped): another
/// request may take the key over. Well past the service's 30 s request timeout.
pub const ABANDONED: Duration = Duration::from_secs(120);
/// Expired keys are deleted at most this often, by whichever request comes first.
const PURGE_EVERY: Duration = Duration::from_secs(60);

/// The first answer to an idempotency key.
#[derive(Clone, Debug)]
pub struct Remembered {
    pub request: String,
    pub status: u16,
    pub response: String,
}

/// What claiming a key found.
#[derive(Debug)]
pub enum Claim {
    /// The key is this request's: run the write, then `finish_key` or `release_key`.
    Mine,
    /// Another request holds the key and is still running.
    Running { request: String },
    /// The key was answered before.
    Answered(Remembered),
}

/// `status` of a claimed key whose write has not answered yet. A write that has already
/// stored its effect but not finished (an urgent order being placed) keeps its provisional
/// answer's status negated: should it never finish, that answer stands.
const IN_PROGRESS: i64 = 0;

/// What a stored key says, for a request `now`.
fn read_claim(row: &sqlx::any::AnyRow, now: i64) -> Option<Claim> {
    let status: i64 = row.get("status");
    let created: Option<i64> = row.get("created_ms");
    if created.unwrap_or(0) < now - ms(KEEP) {
        return None; // expired: the key is free
    }
    let request: String = row.get("request");
    let abandoned = created.unwrap_or(0) < now - ms(ABANDONED);
    match status {
        IN_PROGRESS if abandoned => None,
        s if s <= IN_PROGRESS && !abandoned => Some(Claim::Running { request }),
        s => Some(Claim::Answered(Remembered {
            request,
            status: u16::try_from(s.abs()).unwrap_or(500),
            response: row.get("response"),
        })),
    }
}

fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

impl Store {
    /// Claims `key` for `request`, or says who has it.
    pub async fn claim_key(&self, key: &str, request: &str) -> Result<Claim, AppError> {
        let now = now_ms();
        self.purge_keys_when_due(now).await?;
        // Twice at most: a key released between the insert and the read is claimed again.
        for _ in 0..2 {
            let claimed = sqlx::query(
                "INSERT INTO idempotency_keys (key, request, status, response, created_ms) \
                 VALUES ($1, $2, $3, '', $4) ON CONFLICT(key) DO NOTHING",
            )
            .bind(key)
            .bind(request)
            .bind(IN_PROGRESS)
            .bind(now)
            .execute(&self.pool)
            .await?;
            if claimed.rows_affected() == 1 {
                return Ok(Claim::Mine);
            }
            let Some(row) = sqlx::query(
                "SELECT request, status, response, created_ms FROM idempotency_keys WHERE key = $1",
            )
            .bind(key)
            .fetch_optional(&self.pool)
            .await?
            else {
                continue;
            };
            if let Some(claim) = read_claim(&row, now) {
                return Ok(claim);
            }
            // Expired or abandoned: taken over only if nobody else took it over first.
            let taken = sqlx::query(
                "UPDATE idempotency_keys SET request = $1, status = $2, response = '', \
                 created_ms = $3 WHERE key = $4 AND status = $5 AND created_ms = $6",
            )
            .bind(request)
            .bind(IN_PROGRESS)
            .bind(now)
            .bind(key)
            .bind(row.get::<i64, _>("status"))
            .bind(row.get::<Option<i64>, _>("created_ms").unwrap_or(0))
            .execute(&self.pool)
            .await?;
            if taken.rows_affected() == 1 {
                return Ok(Claim::Mine);
            }
        }
        Err(AppError::Conflict("the Idempotency-Key is in use: try again".into()))
    }

    /// What is stored under `key`, without claiming it (`None`: nothing, or expired).
    pub async fn remembered(&self, key: &str) -> Result<Option<Claim>, AppError> {
        let now = now_ms();
        self.purge_keys_when_due(now).await?;
        let row = sqlx::query(
            "SELECT request, status, response, created_ms FROM idempotency_keys WHERE key = $1",
        )
        .bind(key)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.and_then(|r| read_claim(&r, now)))
    }

    /// Stores the answer of a claimed key.
    pub async fn finish_key(&self, key: &str, status: u16, response: &str) -> Result<(), AppError> {
        sqlx::query("UPDATE idempotency_keys SET status = $1, response = $2 WHERE key = $3")
            .bind(i64::from(status))
            .bind(response)
            .bind(key)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Gives a claimed key back: its write failed and changed nothing, so a retry may run.
    pub async fn release_key(&self, key: &str) -> Result<(), AppError> {
        sqlx::query("DELETE FROM idempotency_keys WHERE key = $1 AND status = $2")
            .bind(key)
            .bind(IN_PROGRESS)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Deletes keys older than [`KEEP`], at most once per [`PURGE_EVERY`] in this process.
    async fn purge_keys_when_due(&self, now: i64) -> Result<(), AppError> {
        let last = self.keys_purged_ms.load(Ordering::Relaxed);
        if now - last < ms(PURGE_EVERY)
            || self
                .keys_purged_ms
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_err()
        {
            return Ok(());
        }
        sqlx::query("DELETE FROM idempotency_keys WHERE created_ms < $1")
            .bind(now - ms(KEEP))
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

/// A key and its answer stored inside a transaction (a new order's, atomically with the
/// order); `Ok(false)` when another request holds the key. A `provisional` answer leaves the
/// key in progress until [`Store::finish_key`] (an urgent order is still being placed).
pub(super) async fn remember_in(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    key: &str,
    answer: &Remembered,
    provisional: bool,
) -> Result<bool, AppError> {
    let status = i64::from(answer.status);
    let done = sqlx::query(
        "INSERT INTO idempotency_keys (key, request, status, response, created_ms) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT(key) DO NOTHING",
    )
    .bind(key)
    .bind(&answer.request)
    .bind(if provisional { -status } else { status })
    .bind(&answer.response)
    .bind(now_ms())
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() > 0)
}
