//! Rules that tie visits together or price their timing beyond the hard windows.

use super::Seconds;
use serde::{Deserialize, Serialize};

/// Two visits served by two different caregivers, the second starting between `min_gap`
/// and `max_gap` after the first: `0..=0` is a synchronised visit (two caregivers bathing a
/// bedridden client together), a positive gap a precedence (medication, then a meal).
/// Both are served or neither is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitLink {
    /// Visit ids.
    pub first: String,
    pub second: String,
    #[serde(default)]
    pub min_gap: Seconds,
    #[serde(default)]
    pub max_gap: Seconds,
}

impl VisitLink {
    /// Both start at the same moment.
    pub fn synchronised(first: impl Into<String>, second: impl Into<String>) -> VisitLink {
        VisitLink {
            first: first.into(),
            second: second.into(),
            min_gap: Seconds::ZERO,
            max_gap: Seconds::ZERO,
        }
    }
}

/// What lateness after a visit's `due` time costs, in objective units: `per_unit` for each
/// time unit of each late visit, and `max` for each time unit of the largest lateness.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LatenessWeights {
    pub per_unit: i64,
    pub max: i64,
}

impl Default for LatenessWeights {
    /// A second late costs as much as a second of travel.
    fn default() -> LatenessWeights {
        LatenessWeights { per_unit: 1, max: 0 }
    }
}
