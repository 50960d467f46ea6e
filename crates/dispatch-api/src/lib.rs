//! CareCircle's dispatch service: orders in, schedules out.
//!
//! An axum service over SQLite (sqlx, migrations embedded): orders are validated and stored
//! before the answer; `POST /v1/plans` plans a station's day on a blocking thread and streams
//! each improving plan as Server-Sent Events; caregivers pull their route. See [`app()`] for
//! the routes and the README for examples.

pub mod app;
pub mod config;
pub mod date;
pub mod error;
pub mod order;
pub mod routes;
pub mod solve_worker;
pub mod store;

pub use app::{app, build_state, serve, AppState};
pub use config::{ServeConfig, ServeError};
pub use error::AppError;
