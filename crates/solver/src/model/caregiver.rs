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
    /// Where `start` or `end` is a place of the caregiver's own (their home) rather than the
    /// station: the trips from it and to it are a commute, with its own limit and pay.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commute: Option<Commute>,
    /// The caregiver's own station circle, when the problem holds several stations (a pool):
    /// their legs' limit and which other stations' visits they may serve.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub circle: Option<StationCircle>,
}

/// The commute of a caregiver who starts or ends away from the station (see
/// `rules::commute`): the leg from `start` to the first visit (if `from_start`) and the leg
/// from the last visit to `end` (if `to_end`) are limited by `max`, not by the service circle;
/// unpaid, they are outside the shift and the working time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Commute {
    pub from_start: bool,
    pub to_end: bool,
    /// The longest commute leg; `None`: any the shift allows.
    pub max: Option<Seconds>,
    /// Whether the commute is working time (the shift and the daily limits include it).
    pub paid: bool,
}

/// A caregiver's station circle in a pooled problem (see `rules::circle`): their legs between
/// visits are limited by `max_leg`, and they serve a visit of another station only where their
/// station (`center`) reaches its home within `reach`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StationCircle {
    pub center: LocationIdx,
    pub reach: Seconds,
    pub max_leg: Seconds,
}

/// A break of `duration` starting inside `window`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct LunchBreak {
    pub window: TimeWindow,
    pub duration: Seconds,
}

impl Caregiver {
    /// Whether the leg from `start` is a commute.
    pub fn commutes_from_start(&self) -> bool {
        self.commute.is_some_and(|c| c.from_start)
    }

    /// Whether the leg to `end` is a commute.
    pub fn commutes_to_end(&self) -> bool {
        self.commute.is_some_and(|c| c.to_end)
    }

    /// Whether the commute is outside the working time.
    pub fn unpaid_commute(&self) -> bool {
        self.commute.is_some_and(|c| !c.paid)
    }

    /// Whether this caregiver holds every skill in `required`.
    pub fn has_skills(&self, required: &[String]) -> bool {
        required.iter().all(|s| self.skills.contains(s))
    }
}
