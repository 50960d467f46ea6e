//! Where should the stations go? Station siting as mixed-integer programs (good_lp, with the
//! pure-Rust microlp backend), with a greedy heuristic beside each for comparison.
//!
//! - **maximal covering**: choose `k` sites to maximise the clients inside a service circle;
//! - **set cover**: the fewest sites that put every coverable client inside a circle;
//! - **p-median**: `k` sites minimising the clients' total travel time to the nearest one.
//!
//! The caller computes, on the road network, which candidate sites reach which clients within
//! the circle's minutes ([`Coverage`]); this module knows no roads. Clients covered by exactly
//! the same candidates are merged into one weighted row first, which shrinks county-sized
//! models (thousands of clients, hundreds of sites) to a few hundred rows.

mod greedy;
mod model;
mod p_median;

pub use greedy::{greedy_max_cover, greedy_set_cover};
pub use model::{max_cover, set_cover};
pub use p_median::{greedy_p_median, p_median, PMedian, TravelRows};

use thiserror::Error;

/// Which candidate sites cover each client: `covering[i]` lists the candidates whose circle
/// holds client `i`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Coverage {
    pub candidates: usize,
    pub covering: Vec<Vec<u32>>,
}

/// A choice of sites and what it achieves.
#[derive(Clone, Debug, PartialEq)]
pub struct Siting {
    /// Chosen candidate indices, ascending.
    pub chosen: Vec<u32>,
    /// Clients inside at least one chosen circle.
    pub covered: usize,
    /// Proven relative optimality gap: `Some(0.0)` when the program was solved to optimality,
    /// `None` for a heuristic, which proves nothing.
    pub gap: Option<f64>,
}

#[derive(Debug, Error, Clone, PartialEq)]
pub enum SitingError {
    #[error("k: {k} sites asked for, but there are {candidates} candidates")]
    TooManySites { k: usize, candidates: usize },
    #[error("covering[{client}]: candidate {candidate} does not exist ({candidates} candidates)")]
    UnknownCandidate { client: usize, candidate: u32, candidates: usize },
    #[error("the MILP solver failed: {0}")]
    Solver(String),
}

impl Coverage {
    pub fn validate(&self) -> Result<(), SitingError> {
        for (client, row) in self.covering.iter().enumerate() {
            if let Some(&candidate) = row.iter().find(|&&j| j as usize >= self.candidates) {
                return Err(SitingError::UnknownCandidate {
                    client,
                    candidate,
                    candidates: self.candidates,
                });
            }
        }
        Ok(())
    }

    /// Clients no candidate covers.
    pub fn uncoverable(&self) -> usize {
        self.covering.iter().filter(|r| r.is_empty()).count()
    }

    /// Clients inside at least one of `chosen`'s circles.
    pub fn covered_by(&self, chosen: &[u32]) -> usize {
        let mut open = vec![false; self.candidates];
        for &j in chosen {
            open[j as usize] = true;
        }
        self.covering.iter().filter(|row| row.iter().any(|&j| open[j as usize])).count()
    }

    /// Distinct non-empty covering sets with the number of clients having each, in a
    /// deterministic order.
    pub(crate) fn weighted_rows(&self) -> Vec<(Vec<u32>, usize)> {
        let mut rows: std::collections::BTreeMap<Vec<u32>, usize> = Default::default();
        for row in self.covering.iter().filter(|r| !r.is_empty()) {
            let mut key = row.clone();
            key.sort_unstable();
            key.dedup();
            *rows.entry(key).or_default() += 1;
        }
        rows.into_iter().collect()
    }
}

#[cfg(test)]
mod tests;
