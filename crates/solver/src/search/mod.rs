//! The search: construction, then ruin-and-recreate with simulated-annealing acceptance and
//! a local search, on an index-based [`Solution`](solution::Solution) — one search for
//! plain days, home-care rules, lunch breaks and linked visits. Meal rounds
//! (pick-up-and-delivery pairs) still take [`pairs`].

pub mod anneal;
pub mod construct;
pub mod diagnose;
pub mod driver;
pub mod fleet;
pub mod local;
pub mod output;
pub mod pairs;
pub mod recreate;
pub mod ruin;
pub mod solution;
#[cfg(test)]
pub(crate) mod testutil;

pub use driver::solve;
