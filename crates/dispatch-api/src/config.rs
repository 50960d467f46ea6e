//! How the service is started, and what can stop it from starting.

use crate::alerts::AlertSettings;
use crate::app::Limits;
use crate::clock::{Clock, CHINA_UTC_OFFSET_S};
use crate::error::AppError;
use crate::grades::GradeConfig;
use formats::scenario::Scenario;
use roads::RoadNetwork;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use thiserror::Error;

pub struct ServeConfig {
    pub addr: SocketAddr,
    /// `sqlite://FILE` (created when missing) or `postgres://...`.
    pub db_url: String,
    /// Stations, caregivers and clients; its visits become orders for its date.
    pub scenario: Scenario,
    /// The road network; `None` to plan only stations with their own matrix.
    pub network: Option<Arc<RoadNetwork>>,
    /// The scenario's own travel matrix (`"travel": {"matrix": ...}`): stored for each
    /// station it covers on start.
    pub matrix: Option<Arc<formats::travel_matrix::TravelMatrix>>,
    pub solve_time_limit: Duration,
    pub clock: Clock,
    pub utc_offset_s: i64,
    pub alerts: AlertSettings,
    pub limits: Limits,
    /// Weights and thresholds of the quarterly team grades.
    pub grades: GradeConfig,
    /// How long a looked-up token is trusted before it is read again (zero: never kept).
    pub token_fresh: Duration,
    /// Threads each solve searches on; solves wait for cores (`solve_worker::SolveCores`).
    pub solve_threads: usize,
    /// The machine's cores.
    pub cores: usize,
    /// The NATS server that carries wake-ups among replicas and the solve queue; `None`:
    /// PostgreSQL's LISTEN/NOTIFY and queue table on a PostgreSQL database, else this
    /// process only.
    pub nats: Option<crate::bus::NatsServer>,
    /// Whether this process takes solve jobs from the queue (`false`: it only takes requests,
    /// and `carecircle worker` processes solve).
    pub solve_here: bool,
    /// This process's name on plans' leases; stable across restarts for a worker (a worker
    /// restarting takes back what it held). `None`: a random one.
    pub instance_id: Option<String>,
    /// How long running jobs may finish when the process is told to stop; then they are
    /// handed back to the queue.
    pub stop_grace: Duration,
    /// A worker process's solves at once (checked against the cores by the command);
    /// `None`: the serving process's share (`SolveCores::new`).
    pub worker_concurrency: Option<usize>,
}

impl ServeConfig {
    /// A configuration with the defaults: China Standard Time, the system clock, default
    /// alert thresholds and request limits.
    pub fn new(
        addr: SocketAddr,
        db_url: String,
        scenario: Scenario,
        network: Option<Arc<RoadNetwork>>,
        solve_time_limit: Duration,
    ) -> ServeConfig {
        ServeConfig {
            addr,
            db_url,
            scenario,
            network,
            matrix: None,
            solve_time_limit,
            clock: Clock::system(CHINA_UTC_OFFSET_S),
            utc_offset_s: CHINA_UTC_OFFSET_S,
            alerts: AlertSettings::default(),
            limits: Limits::default(),
            token_fresh: crate::auth::TOKEN_FRESH,
            grades: GradeConfig::default_config(),
            solve_threads: 1,
            cores: std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get),
            nats: None,
            solve_here: true,
            instance_id: None,
            stop_grace: Duration::from_secs(30),
            worker_concurrency: None,
        }
    }

    /// The cores this process's solves use: a worker's own (`worker_concurrency`), or beside
    /// requests when it serves them.
    pub fn solve_cores(&self) -> crate::solve_worker::SolveCores {
        match self.worker_concurrency {
            Some(at_once) => crate::solve_worker::SolveCores {
                threads: self.solve_threads.max(1),
                at_once: at_once.max(1),
            },
            None => crate::solve_worker::SolveCores::new(self.solve_threads, self.cores),
        }
    }
}

#[derive(Debug, Error)]
pub enum ServeError {
    #[error("database {url}: {source}")]
    Database { url: String, source: sqlx::Error },
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: SocketAddr, source: std::io::Error },
    #[error("scenario: {0}")]
    Scenario(String),
    #[error("event bus: {0}")]
    Bus(#[from] crate::bus::BusError),
    #[error("solve queue: {0}")]
    Queue(#[from] crate::queue::QueueError),
    #[error(transparent)]
    App(#[from] AppError),
}
