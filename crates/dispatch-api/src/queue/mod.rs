//! The solve queue: jobs (a station-day's plan, a re-plan's improvement) go from the process
//! that takes the request to whichever worker takes them. Three ways to carry them, behind
//! [`SolveQueue`]: NATS JetStream (a work-queue stream, `--nats URL`), a PostgreSQL table
//! taken with `FOR UPDATE SKIP LOCKED` (a PostgreSQL database without NATS), and in process
//! (SQLite, one process: the embedded default).
//!
//! A queue only delivers: a job may come twice, or come back after its worker stopped. What
//! counts is the plan's lease in the database (`store::leases`): a worker claims it before
//! solving and stores versions only while it holds it, so a second delivery of a job that is
//! being solved, or was solved, costs one read.

mod in_process;
mod jetstream;
mod postgres;

pub use in_process::InProcessQueue;
pub use jetstream::JetStreamQueue;
pub use postgres::PgQueue;

use futures_util::future::BoxFuture;
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use thiserror::Error;

/// The payload's version. A worker takes jobs of its version or older; a newer one (a newer
/// build queued it during a rolling upgrade) goes back to the queue for a newer worker.
pub const PAYLOAD_VERSION: u32 = 1;

/// How long a taken job stays hidden from other workers without news from its worker (the
/// worker renews it while it works); then the queue delivers it again.
pub const ACK_WAIT: Duration = Duration::from_secs(35);

/// How often the queue delivers one job at most (the plan's own attempts are counted and
/// limited by its lease: `store::leases::MAX_ATTEMPTS`).
pub const MAX_DELIVER: i64 = 8;

/// What a job asks for.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Work {
    /// Solve plan `plan` (its station, day and time limit are in its row).
    Plan { plan: i64 },
    /// Improve re-plan `plan` of a station's day, its moves counted against plan `before`.
    Improve { station: String, date: String, plan: i64, before: i64 },
}

/// One job on the queue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Job {
    /// [`PAYLOAD_VERSION`] of the build that queued it.
    pub v: u32,
    #[serde(flatten)]
    pub work: Work,
    /// When it was queued (ms since the epoch), for the wait it had.
    pub queued_ms: i64,
}

impl Job {
    pub fn new(work: Work) -> Job {
        Job { v: PAYLOAD_VERSION, work, queued_ms: crate::store::now_ms() }
    }

    pub fn encode(&self) -> String {
        // A job is plain data: it always serialises.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The job, or why it is not one this build can do.
    pub fn decode(bytes: &[u8]) -> Result<Job, Undecodable> {
        #[derive(Deserialize)]
        struct Version {
            v: u32,
        }
        match serde_json::from_slice::<Version>(bytes) {
            Ok(Version { v }) if v > PAYLOAD_VERSION => return Err(Undecodable::Newer(v)),
            Err(e) => return Err(Undecodable::Malformed(e.to_string())),
            Ok(_) => {}
        }
        serde_json::from_slice(bytes).map_err(|e| Undecodable::Malformed(e.to_string()))
    }
}

/// A payload this build cannot do.
#[derive(Debug, Error, PartialEq)]
pub enum Undecodable {
    #[error("payload version {0} is newer than this build's {PAYLOAD_VERSION}")]
    Newer(u32),
    #[error("malformed job: {0}")]
    Malformed(String),
}

#[derive(Debug, Error)]
pub enum QueueError {
    #[error("queue database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("JetStream at {url}: {reason}")]
    JetStream { url: String, reason: String },
    #[error("JetStream: {0}")]
    Nats(String),
}

/// A job taken from the queue, with what tells the queue how it went.
pub struct Taken {
    pub job: Result<Job, Undecodable>,
    /// 1 the first time the queue delivers it.
    pub deliveries: i64,
    pub receipt: Box<dyn Receipt>,
}

/// What a worker tells the queue about a job it took. Failing to tell is logged, never
/// fatal: the queue delivers the job again, and the lease makes that harmless.
pub trait Receipt: Send + Sync {
    /// Still working on it: keep it hidden for another [`ACK_WAIT`].
    fn progress(&self) -> BoxFuture<'_, Result<(), QueueError>>;
    /// Done with it (finished, or nothing to do): the queue forgets it.
    fn done(self: Box<Self>) -> BoxFuture<'static, Result<(), QueueError>>;
    /// Not done: deliver it again after `delay`, to any worker.
    fn hand_back(self: Box<Self>, delay: Duration) -> BoxFuture<'static, Result<(), QueueError>>;
}

/// Carries jobs from the processes that take requests to the workers.
pub trait SolveQueue: Send + Sync {
    /// Adds a job; `Ok` once the queue holds it.
    fn push(&self, job: &Job) -> BoxFuture<'_, Result<(), QueueError>>;
    /// The next job, waiting at most `wait` for one.
    fn take(&self, wait: Duration) -> BoxFuture<'_, Result<Option<Taken>, QueueError>>;
    /// Jobs waiting or being worked on.
    fn depth(&self) -> BoxFuture<'_, Result<u64, QueueError>>;
    /// `in-process`, `postgres` or `jetstream`, for `/readyz` and the logs.
    fn kind(&self) -> &'static str;
    /// Whether all jobs are lost with this process (then a restart pushes its queued plans
    /// again).
    fn is_in_process(&self) -> bool {
        false
    }
}

/// The queue of a deployment: JetStream at `nats` on a PostgreSQL database, else the
/// database's own table on PostgreSQL, else (SQLite: one process) this process's memory.
pub async fn connect(
    store: &crate::store::Store,
    nats: Option<&crate::bus::NatsServer>,
) -> Result<std::sync::Arc<dyn SolveQueue>, QueueError> {
    use crate::store::Backend;
    Ok(match (nats, store.backend()) {
        (_, Backend::Sqlite) => std::sync::Arc::new(InProcessQueue::default()),
        (Some(server), Backend::Postgres) => {
            let deployment = store.deployment().await?;
            std::sync::Arc::new(JetStreamQueue::connect(server, &deployment).await?)
        }
        (None, Backend::Postgres) => std::sync::Arc::new(PgQueue::new(store.pool().clone())),
    })
}

/// Counters of the jobs this process worked on, for `/metrics`.
#[derive(Debug, Default)]
pub struct JobCounters {
    pub taken: AtomicU64,
    pub redelivered: AtomicU64,
    pub done: AtomicU64,
    pub failed: AtomicU64,
    pub handed_back: AtomicU64,
    /// Sums of milliseconds, for means: from queued to taken, and from taken to done.
    pub wait_ms: AtomicU64,
    pub run_ms: AtomicU64,
}

impl JobCounters {
    /// The counters and the queue's `depth` (when it answered) for `/metrics`.
    pub fn render(&self, depth: Option<u64>, kind: &str) -> String {
        let n = |c: &AtomicU64| c.load(Ordering::Relaxed);
        let mut out = String::new();
        out += "# HELP carecircle_queue_depth Jobs waiting or running on the solve queue.\n";
        out += "# TYPE carecircle_queue_depth gauge\n";
        if let Some(depth) = depth {
            out += &format!("carecircle_queue_depth{{queue=\"{kind}\"}} {depth}\n");
        }
        for (name, help, value) in [
            (
                "carecircle_jobs_taken_total",
                "Jobs this process took from the queue.",
                n(&self.taken),
            ),
            (
                "carecircle_jobs_redelivered_total",
                "Jobs taken that the queue had delivered before.",
                n(&self.redelivered),
            ),
            (
                "carecircle_jobs_done_total",
                "Jobs this process finished (or found nothing to do).",
                n(&self.done),
            ),
            ("carecircle_jobs_failed_total", "Plans that failed here.", n(&self.failed)),
            (
                "carecircle_jobs_handed_back_total",
                "Jobs handed back unfinished.",
                n(&self.handed_back),
            ),
            (
                "carecircle_job_wait_ms_total",
                "Milliseconds jobs waited on the queue, summed.",
                n(&self.wait_ms),
            ),
            ("carecircle_job_run_ms_total", "Milliseconds jobs ran here, summed.", n(&self.run_ms)),
        ] {
            out += &format!("# HELP {name} {help}\n# TYPE {name} counter\n{name} {value}\n");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jobs_round_trip_and_newer_payloads_are_refused() {
        let job = Job::new(Work::Improve {
            station: "S1".into(),
            date: "2026-12-06".into(),
            plan: 7,
            before: 6,
        });
        assert_eq!(Job::decode(job.encode().as_bytes()), Ok(job));
        let plan = br#"{"v":1,"kind":"plan","plan":3,"queued_ms":5}"#;
        assert_eq!(Job::decode(plan).map(|j| j.work), Ok(Work::Plan { plan: 3 }));
        let newer = br#"{"v":2,"kind":"pool","pool":"P1","queued_ms":5}"#;
        assert_eq!(Job::decode(newer), Err(Undecodable::Newer(2)));
        assert!(matches!(Job::decode(b"{}"), Err(Undecodable::Malformed(_))));
        assert!(matches!(Job::decode(b"\xff"), Err(Undecodable::Malformed(_))));
    }
}
