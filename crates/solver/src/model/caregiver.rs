use super::{LocationIdx, ProfileIdx, Seconds, TimeWindow};
use serde::{Deserialize, Serialize};

/// A caregiver (海螺姑娘 / 护理员) with one shift on the plan day.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Caregiver {
    /// External id, unique in the problem.
    pub id: String,
    pub station: Option<String>,
    pub skills: Vec<String>,
    /// Travel profile (mode) whose matrix this caregiver's legs use.
    pub profile: ProfileIdx,
    /// Where the shift starts and ends (the station or the caregiver's home).
    pub start: LocationIdx,
    pub end: LocationIdx,
    /// The route leaves `start` no earlier than `shift.start` and is back at `end`
    /// no later than `shift.end`.
    pub shift: TimeWindow,
    /// Capacity for [`Visit::demand`](super::Visit::demand); `None` means unlimited.
    pub capacity: Option<i64>,
    /// Daily limit on the route's duration (leaving `start` to arriving at `end`): the hard
    /// limit of overtime.
    pub max_route_duration: Option<Seconds>,
    /// Contracted working time of the day; working longer costs `SoftCosts::overtime`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contracted: Option<Seconds>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub female: bool,
    /// A break the caregiver takes wherever they are, between two visits (or before leaving,
    /// or before the way back), if they work at all that day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lunch_break: Option<LunchBreak>,
}

/// A break of `duration` starting inside `window`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct LunchBreak {
    pub window: TimeWindow,
    pub duration: Seconds,
}

impl Caregiver {
    /// Whether this caregiver holds every skill in `required`.
    pub fn has_skills(&self, required: &[String]) -> bool {
        required.iter().all(|s| self.skills.contains(s))
    }
}
