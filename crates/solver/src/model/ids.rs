//! Typed indices into a [`Problem`](super::Problem)'s tables and the travel matrices.

use serde::{Deserialize, Serialize};

/// Index of a point in the travel matrices (a station, a client's home, a caregiver's home).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct LocationIdx(pub u32);

impl LocationIdx {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// Index of a travel profile (one matrix per travel mode: walk, e-bike, car, ...).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct ProfileIdx(pub u32);

impl ProfileIdx {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// Index of a visit in [`Problem::visits`](super::Problem::visits).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct VisitIdx(pub u32);

impl VisitIdx {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// Index of a caregiver in [`Problem::caregivers`](super::Problem::caregivers).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CaregiverIdx(pub u32);

impl CaregiverIdx {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}
