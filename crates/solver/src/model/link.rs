//! Rules that tie visits together or price their timing beyond the hard windows.

use super::Seconds;
use serde::{Deserialize, Serialize};

/// Two visits served by two different caregivers, the second starting between `min_gap`
/// and `max_gap` after the first: `0..=0` is a synchronised visit (two caregivers bathing a
/// bedridden client together), a positive gap a precedence (medication, then a meal).
/// Both are served or neither is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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

/// What the soft rules cost, in objective units (a unit of travel time or distance costs 1):
/// lateness after a visit's `due` time, per time unit of each late visit and per time unit
/// of the largest; each visit served by a caregiver its client does not usually see; each
/// time unit of working time beyond a caregiver's contracted hours; and each time unit of
/// the spread (longest minus shortest working time) across the caregivers of the problem,
/// the fairness term.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SoftCosts {
    pub lateness: i64,
    pub max_lateness: i64,
    pub non_preferred: i64,
    pub overtime: i64,
    pub working_spread: i64,
}

impl Default for SoftCosts {
    /// A second late costs a second of travel; a stranger at the door ten minutes of it; a
    /// second of overtime two; fairness is off unless asked for.
    fn default() -> SoftCosts {
        SoftCosts {
            lateness: 1,
            max_lateness: 0,
            non_preferred: 600,
            overtime: 2,
            working_spread: 0,
        }
    }
}
