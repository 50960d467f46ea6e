//! How the solver sees travel: a small trait, fed by the road graph, by Euclidean distances
//! (benchmark instances) or by a test's numbers. The solver never sees a road network.

use crate::model::{LocationIdx, Meters, ProblemError, ProfileIdx, Seconds};

/// The time (and distance) of a leg with no way: a user's matrix says so, or does not cover
/// the point. No route takes such a leg (`rules::leg`, reason `no_travel_time`; the checker's
/// rule `no_travel_time`); it is large enough to break any day and small enough to add up.
pub const NO_TRAVEL: i64 = 1 << 40;

/// Travel time and distance between two points for one travel profile.
pub trait TravelTimes: Send + Sync {
    fn time(&self, profile: ProfileIdx, from: LocationIdx, to: LocationIdx) -> Seconds;
    fn distance(&self, profile: ProfileIdx, from: LocationIdx, to: LocationIdx) -> Meters;
}

/// A square matrix of travel times and distances, row-major (`from * n + to`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DenseMatrix {
    n: usize,
    times: Vec<Seconds>,
    distances: Vec<Meters>,
}

impl DenseMatrix {
    pub fn new(
        n: usize,
        times: Vec<Seconds>,
        distances: Vec<Meters>,
    ) -> Result<DenseMatrix, ProblemError> {
        for (field, len) in [("times", times.len()), ("distances", distances.len())] {
            if len != n * n {
                return Err(ProblemError::Invalid {
                    field: format!("matrix.{field}"),
                    reason: format!("has {len} entries, expected {n}x{n}"),
                });
            }
        }
        if let Some(k) = times.iter().position(|t| t.0 < 0) {
            return Err(ProblemError::Invalid {
                field: format!("matrix.times[{}][{}]", k / n, k % n),
                reason: "must not be negative".into(),
            });
        }
        Ok(DenseMatrix { n, times, distances })
    }

    pub fn size(&self) -> usize {
        self.n
    }

    pub fn time(&self, from: LocationIdx, to: LocationIdx) -> Seconds {
        self.times[from.index() * self.n + to.index()]
    }

    pub fn distance(&self, from: LocationIdx, to: LocationIdx) -> Meters {
        self.distances[from.index() * self.n + to.index()]
    }
}

/// One [`DenseMatrix`] per travel profile, indexed by [`ProfileIdx`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TravelMatrices {
    profiles: Vec<DenseMatrix>,
}

impl TravelMatrices {
    /// All matrices must have the same size.
    pub fn new(profiles: Vec<DenseMatrix>) -> Result<TravelMatrices, ProblemError> {
        if let Some(first) = profiles.first() {
            if let Some(p) = profiles.iter().position(|m| m.n != first.n) {
                return Err(ProblemError::Invalid {
                    field: format!("matrices[{p}]"),
                    reason: "all travel profiles must cover the same points".into(),
                });
            }
        }
        Ok(TravelMatrices { profiles })
    }

    pub fn num_profiles(&self) -> usize {
        self.profiles.len()
    }

    pub fn profile(&self, p: ProfileIdx) -> &DenseMatrix {
        &self.profiles[p.index()]
    }
}

impl TravelTimes for TravelMatrices {
    fn time(&self, profile: ProfileIdx, from: LocationIdx, to: LocationIdx) -> Seconds {
        self.profiles[profile.index()].time(from, to)
    }

    fn distance(&self, profile: ProfileIdx, from: LocationIdx, to: LocationIdx) -> Meters {
        self.profiles[profile.index()].distance(from, to)
    }
}
