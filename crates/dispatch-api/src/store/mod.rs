//! Storage through sqlx's `Any` driver: SQLite (the embedded default) or PostgreSQL, with the
//! same queries (`$1` placeholders, `ON CONFLICT`, `RETURNING` work on both) and twin
//! migrations (`migrations/sqlite`, `migrations/postgres`, the same files in each). Every
//! write that answers a request is committed before the answer.

mod events;
mod field;
mod grades;
mod idempotency;
mod leases;
mod ledger;
mod locks;
mod master;
mod matrices;
mod order_writer;
mod orders;
mod plans;
mod ratings;
mod tokens;
mod units;

pub use events::{ResumeFrom, StationChange, StoredEvent};
pub use field::{AlertRow, LastPosition, Progress, StoredAlert};
pub use idempotency::{Claim, Remembered};
pub use leases::{Claimed, Lease, TakenBack, LEASE_FOR, MAX_ATTEMPTS, RENEW_EVERY};
pub use master::{MasterKind, Page, StationCanteen};
pub use matrices::MatrixRow;
pub use orders::{Inserted, OrderKind, OrderQuery};
pub use plans::{PlanRow, PlanStatus, VersionRow};
pub use ratings::{Rating, RatingState};
pub use tokens::{token_id, TokenInfo, TokenRow};

use crate::bus::{BusError, EventBus, InProcessBus, NatsBus, PgBus};
use crate::error::AppError;
use serde::de::DeserializeOwned;
use sqlx::any::{install_default_drivers, AnyPoolOptions};
use sqlx::{AnyPool, Executor};
use std::sync::Arc;
use std::time::Duration;

/// Which database is behind the `Any` pool.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// `sqlite://FILE` or `sqlite::memory:`, `postgres://...` or `postgresql://...`.
    pub fn of_url(url: &str) -> Option<Backend> {
        if url.starts_with("sqlite:") {
            Some(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Backend::Postgres)
        } else {
            None
        }
    }
}

/// The database behind the service.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// Wakes every replica's streams after a change with events commits.
    bus: Arc<dyn EventBus>,
    order_writer: order_writer::OrderWriter,
    /// When this process last deleted expired idempotency keys.
    keys_purged_ms: Arc<std::sync::atomic::AtomicI64>,
}

/// Begins a transaction that will write. On SQLite it takes the write lock at once (`BEGIN
/// IMMEDIATE`), so it waits its turn under the busy timeout: a deferred transaction that reads
/// and then writes fails at once with "database is locked" when another connection committed in
/// between (WAL keeps its snapshot), and no timeout helps.
pub(crate) async fn begin_write(
    pool: &AnyPool,
    backend: Backend,
) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
    match backend {
        Backend::Sqlite => pool.begin_with("BEGIN IMMEDIATE").await,
        Backend::Postgres => pool.begin().await,
    }
}

/// `$from, $from+1, ...`: the placeholders of an `IN (...)` list of `n` values.
fn marks(from: usize, n: usize) -> String {
    (from..from + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

fn decode<T: DeserializeOwned>(text: &str) -> Result<T, AppError> {
    Ok(serde_json::from_str(text)?)
}

/// Milliseconds since the Unix epoch, for bookkeeping columns.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

impl Store {
    /// Opens the database at `url` (a SQLite file is created when missing) and migrates it.
    pub async fn connect(url: &str) -> Result<Store, sqlx::Error> {
        install_default_drivers();
        let backend = Backend::of_url(url).ok_or_else(|| {
            sqlx::Error::Configuration(
                "the database URL must start with sqlite:// or postgres://".into(),
            )
        })?;
        let (url, connections) = match backend {
            Backend::Sqlite if !url.contains('?') && !url.contains(":memory:") => {
                (format!("{url}?mode=rwc"), 4)
            }
            Backend::Sqlite => (url.to_string(), 4),
            Backend::Postgres => (url.to_string(), 16),
        };
        let pool = AnyPoolOptions::new()
            .max_connections(connections)
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL: readers never wait for the writer. synchronous=FULL: a commit
                        // is on disk before the answer. busy_timeout: writers queue, not fail.
                        conn.execute(
                            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                             PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;",
                        )
                        .await?;
                    }
                    Ok(())
                })
            })
            .connect(&url)
            .await?;
        match backend {
            Backend::Sqlite => sqlx::migrate!("./migrations/sqlite").run(&pool).await?,
            Backend::Postgres => sqlx::migrate!("./migrations/postgres").run(&pool).await?,
        }
        let order_writer = order_writer::OrderWriter::spawn(pool.clone(), backend);
        Ok(Store {
            pool,
            backend,
            bus: Arc::new(InProcessBus::default()),
            order_writer,
            keys_purged_ms: Arc::default(),
        })
    }

    /// Carries wake-ups through NATS at `nats` when given, else through PostgreSQL's
    /// LISTEN/NOTIFY on a PostgreSQL database (`url`, this store's), else in this process.
    pub async fn connect_bus(
        &mut self,
        url: &str,
        nats: Option<&crate::bus::NatsServer>,
    ) -> Result<(), BusError> {
        let deployment = self.deployment().await.map_err(BusError::Listen)?;
        self.bus = match (nats, self.backend) {
            (Some(nats), _) => Arc::new(NatsBus::connect(nats, &deployment).await?),
            (None, Backend::Postgres) => {
                Arc::new(PgBus::connect(url, self.pool.clone(), &deployment).await?)
            }
            (None, Backend::Sqlite) => Arc::new(InProcessBus::default()),
        };
        Ok(())
    }

    /// The connections, for the PostgreSQL solve queue's table.
    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// This database's deployment name (made once by the migrations): replicas and workers
    /// of one database find each other's subjects and streams by it.
    pub async fn deployment(&self) -> Result<String, sqlx::Error> {
        sqlx::query_scalar("SELECT id FROM deployment").fetch_one(&self.pool).await
    }

    pub fn bus(&self) -> &Arc<dyn EventBus> {
        &self.bus
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Answers when the database does.
    pub async fn ping(&self) -> Result<(), AppError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Closes every connection, after the ones in use are returned.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::Path;

    fn names(dir: &str) -> BTreeSet<String> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations").join(dir);
        std::fs::read_dir(&dir)
            .expect("migrations folder")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect()
    }

    /// The two backends must be migrated through the same steps.
    #[test]
    fn migrations_are_twins() {
        assert_eq!(names("sqlite"), names("postgres"));
        assert!(names("sqlite").len() >= 2);
    }
}
