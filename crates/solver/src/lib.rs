//! CareCircle's optimisation core.
//!
//! `solve(&Problem, &dyn TravelTimes, &mut Environment) -> Plan`; `check::check` verifies any
//! plan independently. Pure: no I/O, no async, no clock or global RNG of its own.

#[doc(hidden)]
pub mod bench_hooks;
pub mod care_package;
pub mod check;
pub mod env;
mod eval;
pub mod io;
pub mod model;
pub mod replan;
pub mod scenario;
mod search;
pub mod siting;
pub mod travel;

pub use env::{CancelToken, Environment, FirstOf, MaxIterations, MaxRuntime, StopCriterion};
pub use model::*;
pub use search::solve;
pub use travel::{DenseMatrix, TravelMatrices, TravelTimes};
