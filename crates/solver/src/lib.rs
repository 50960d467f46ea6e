//! CareCircle's optimisation core.
//!
//! `solve(&Problem, &dyn TravelTimes, &mut Environment) -> Plan`; `check::check` verifies any
//! plan independently. Pure: no I/O, no async, no clock or global RNG of its own.

#[doc(hidden)]
pub mod bench_hooks;
pub mod check;
pub mod env;
pub mod model;
pub mod replan;
mod route;
mod rules;
mod search;
pub mod travel;

pub use env::{CancelToken, Environment, FirstOf, MaxIterations, MaxRuntime, StopCriterion};
pub use model::*;
pub use search::solve;
pub use travel::{DenseMatrix, TravelMatrices, TravelTimes};
