//! The search: construction, then ruin-and-recreate with simulated-annealing acceptance and
//! a local search, on an index-based [`Solution`](solution::Solution) — one search for
//! every kind of day: plain, home-care rules, lunch breaks, linked visits (moved as pairs
//! with pinned starts) and meal rounds (a pick-up and its delivery moved as one unit).

pub mod anneal;
pub mod construct;
pub mod diagnose;
pub mod driver;
pub mod fleet;
pub mod local;
pub mod output;
pub mod recreate;
pub mod ruin;
pub mod solution;
#[cfg(test)]
pub(crate) mod testutil;
pub mod together;
pub mod walk;

pub use driver::solve;
