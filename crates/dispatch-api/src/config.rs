//! How the service is started, and what can stop it from starting.

use crate::error::AppError;
use roads::RoadNetwork;
use solver::scenario::Scenario;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use thiserror::Error;

pub struct ServeConfig {
    pub addr: SocketAddr,
    /// `sqlite://FILE`; the file is created when missing.
    pub db_url: String,
    /// Stations, caregivers and clients; its visits become orders for its date.
    pub scenario: Scenario,
    pub network: Arc<RoadNetwork>,
    pub solve_time_limit: Duration,
}

#[derive(Debug, Error)]
pub enum ServeError {
    #[error("database {url}: {source}")]
    Database { url: String, source: sqlx::Error },
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: SocketAddr, source: std::io::Error },
    #[error("scenario: {0}")]
    Scenario(String),
    #[error(transparent)]
    App(#[from] AppError),
}
