//! CareCircle's dispatch service: orders in, schedules out.
//!
//! An axum service over SQLite or PostgreSQL (sqlx, twin migrations embedded): master data
//! and orders are validated and stored before the answer; `POST /v1/plans` plans a station's
//! day on a blocking thread and streams each improving plan; urgent orders, cancellations and
//! absences re-plan the day live, moving as few visits as they can; caregivers pull their
//! route (JSON, GeoJSON, iCalendar), check in and out and report positions; alerts and every
//! change go to the station's event stream. Access is by bearer token and role. See
//! [`app::ENDPOINTS`] for the routes and the README for a day in `curl` calls.

pub mod alerts;
pub mod app;
pub mod auth;
pub mod bus;
pub mod clock;
pub mod config;
pub mod contract;
pub mod csv_import;
pub mod date;
pub mod day_csv;
pub mod db_check;
pub mod error;
pub mod grades;
pub mod ledger;
pub mod limits;
pub mod live;
pub mod metrics;
pub mod navigation;
pub mod openapi;
pub mod order;
pub mod problem_language;
pub mod queue;
pub mod route_news;
pub mod route_view;
pub mod routes;
pub mod solve_worker;
pub mod station_day;
pub mod station_map;
pub mod store;
mod svg;
pub mod travel;
pub mod web;

pub use app::{app, build_state, run_worker, serve, AppState};
pub use config::{ServeConfig, ServeError};
pub use error::AppError;
