use super::Seconds;
use serde::{Deserialize, Serialize};

/// A closed interval `[start, end]` of times of day in which a visit may *start*
/// (or, for a shift, in which the caregiver works).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TimeWindow {
    pub start: Seconds,
    pub end: Seconds,
}

impl TimeWindow {
    pub fn new(start: Seconds, end: Seconds) -> TimeWindow {
        TimeWindow { start, end }
    }

    pub fn contains(&self, t: Seconds) -> bool {
        self.start <= t && t <= self.end
    }
}
