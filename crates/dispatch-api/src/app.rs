//! The router, its shared state, and starting the service.

use crate::config::{ServeConfig, ServeError};
use crate::date::PlanDate;
use crate::error::AppError;
use crate::routes;
use crate::solve_worker::PlanChannels;
use crate::store::Store;
use axum::routing::{get, post};
use axum::Router;
use roads::RoadNetwork;
use std::sync::Arc;
use std::time::Duration;

/// What every handler shares; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub network: Arc<RoadNetwork>,
    pub plans: Arc<PlanChannels>,
    /// The longest a plan may search; requests may ask for less.
    pub solve_time_limit: Duration,
}

/// The service's routes.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/v1/orders", post(routes::orders::create))
        .route("/v1/orders/{id}", get(routes::orders::get))
        .route("/v1/plans", post(routes::plans::create))
        .route("/v1/plans/{id}", get(routes::plans::get))
        .route("/v1/plans/{id}/events", get(routes::plans::events))
        .route("/v1/caregivers/{id}/route", get(routes::caregivers::route))
        .route("/v1/planner/coverage", post(routes::planner::coverage))
        .route("/v1/planner/site", post(routes::planner::site))
        .route("/v1/planner/simulate", post(routes::planner::simulate))
        .fallback(|| async { AppError::NotFound("no such endpoint".into()) })
        .with_state(state)
}

/// Opens the database, marks plans a previous process left running as failed and imports
/// the scenario.
pub async fn build_state(config: &ServeConfig) -> Result<AppState, ServeError> {
    let store = Store::connect(&config.db_url)
        .await
        .map_err(|source| ServeError::Database { url: config.db_url.clone(), source })?;
    store.fail_interrupted_plans().await?;
    let date = match &config.scenario.date {
        Some(d) => Some(
            PlanDate::parse(d).map_err(|reason| ServeError::Scenario(format!("date: {reason}")))?,
        ),
        None => None,
    };
    let imported = store.import_scenario(&config.scenario, date.as_ref()).await?;
    if imported > 0 {
        tracing::info!(imported, "orders imported from the scenario");
    }
    Ok(AppState {
        store,
        network: config.network.clone(),
        plans: Arc::new(PlanChannels::default()),
        solve_time_limit: config.solve_time_limit,
    })
}

/// Runs the service until Ctrl-C.
pub async fn serve(config: ServeConfig) -> Result<(), ServeError> {
    let state = build_state(&config).await?;
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .map_err(|source| ServeError::Bind { addr: config.addr, source })?;
    let addr =
        listener.local_addr().map_err(|source| ServeError::Bind { addr: config.addr, source })?;
    eprintln!("CareCircle dispatch service listening on http://{addr}  (Ctrl-C stops it)");
    axum::serve(listener, app(state))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|source| ServeError::Bind { addr, source })
}
