//! What the checker reports: one [`Violation`] per broken rule, each with a stable code.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The rule a plan breaks. The snake_case names are stable codes (JSON and `as_str`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckRule {
    /// A route names a caregiver the problem does not have.
    UnknownCaregiver,
    /// A stop or an unassigned entry names a visit the problem does not have.
    UnknownVisit,
    /// Two routes belong to the same caregiver.
    CaregiverUsedTwice,
    /// A visit appears on more than one stop.
    VisitServedTwice,
    /// A visit is listed unassigned more than once.
    UnassignedTwice,
    /// A visit is both served and listed unassigned.
    ServedAndUnassigned,
    /// A visit is neither served nor listed unassigned.
    VisitMissing,
    /// The caregiver lacks a skill the visit needs.
    Skills,
    /// A service starts outside every time window of its visit.
    TimeWindow,
    /// The route leaves before the shift starts.
    ShiftStart,
    /// The route returns after the shift ends.
    ShiftEnd,
    /// The route's demand exceeds the caregiver's capacity.
    Capacity,
    /// A leg (depot legs included) takes longer than the leg limit.
    MaxLeg,
    /// A leg has no travel time: the travel source has no way between the two points.
    NoTravelTime,
    /// The route lasts longer than the caregiver's daily limit.
    RouteDuration,
    /// Reported times are impossible: arriving before the travel allows, starting before
    /// arriving, or an end that is not start plus duration.
    Schedule,
    /// Reported travel time or distance differs from the recomputation.
    TravelFigures,
    /// One visit of a link is served and the other is not.
    LinkIncomplete,
    /// Both visits of a link are served by the same caregiver.
    LinkSameCaregiver,
    /// The second visit of a link does not start within its gap after the first.
    LinkGap,
    /// A visit that needs a female caregiver is served by one who is not.
    Gender,
    /// A visit is served by a caregiver its client refused.
    Refused,
    /// A caregiver's lunch break is missing, outside its window, or overlaps work or travel.
    Break,
    /// A pair's delivery is served without exactly one of its pick-ups, or a pick-up without
    /// its delivery.
    PairIncomplete,
    /// A pair's pick-up and delivery are served by two caregivers.
    PairSameCaregiver,
    /// A delivery comes before its pick-up on the route.
    PickupBeforeDelivery,
    /// A delivery starts later after its pick-up than the pair's ride-time limit.
    RideTime,
    /// More is on board (pairs picked up, not yet delivered) than the caregiver's box holds.
    BoxCapacity,
    /// A re-plan changed a visit that started, was checked in or locked, or a lunch break
    /// that started, or moved something to start before now (see `check::check_kept`).
    Locked,
    /// A commute leg (from a caregiver's own start place, or to their own end place) takes
    /// longer than their commute limit.
    MaxCommute,
    /// A visit of another station of a pool is served by a caregiver whose station does not
    /// reach its home within the circle.
    Circle,
}

impl CheckRule {
    pub const ALL: [CheckRule; 31] = [
        CheckRule::UnknownCaregiver,
        CheckRule::UnknownVisit,
        CheckRule::CaregiverUsedTwice,
        CheckRule::VisitServedTwice,
        CheckRule::UnassignedTwice,
        CheckRule::ServedAndUnassigned,
        CheckRule::VisitMissing,
        CheckRule::Skills,
        CheckRule::TimeWindow,
        CheckRule::ShiftStart,
        CheckRule::ShiftEnd,
        CheckRule::Capacity,
        CheckRule::MaxLeg,
        CheckRule::NoTravelTime,
        CheckRule::RouteDuration,
        CheckRule::Schedule,
        CheckRule::TravelFigures,
        CheckRule::LinkIncomplete,
        CheckRule::LinkSameCaregiver,
        CheckRule::LinkGap,
        CheckRule::Gender,
        CheckRule::Refused,
        CheckRule::Break,
        CheckRule::PairIncomplete,
        CheckRule::PairSameCaregiver,
        CheckRule::PickupBeforeDelivery,
        CheckRule::RideTime,
        CheckRule::BoxCapacity,
        CheckRule::Locked,
        CheckRule::MaxCommute,
        CheckRule::Circle,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CheckRule::UnknownCaregiver => "unknown_caregiver",
            CheckRule::UnknownVisit => "unknown_visit",
            CheckRule::CaregiverUsedTwice => "caregiver_used_twice",
            CheckRule::VisitServedTwice => "visit_served_twice",
            CheckRule::UnassignedTwice => "unassigned_twice",
            CheckRule::ServedAndUnassigned => "served_and_unassigned",
            CheckRule::VisitMissing => "visit_missing",
            CheckRule::Skills => "skills",
            CheckRule::TimeWindow => "time_window",
            CheckRule::ShiftStart => "shift_start",
            CheckRule::ShiftEnd => "shift_end",
            CheckRule::Capacity => "capacity",
            CheckRule::MaxLeg => "max_leg",
            CheckRule::NoTravelTime => "no_travel_time",
            CheckRule::RouteDuration => "route_duration",
            CheckRule::Schedule => "schedule",
            CheckRule::TravelFigures => "travel_figures",
            CheckRule::LinkIncomplete => "link_incomplete",
            CheckRule::LinkSameCaregiver => "link_same_caregiver",
            CheckRule::LinkGap => "link_gap",
            CheckRule::Gender => "gender",
            CheckRule::Refused => "refused",
            CheckRule::Break => "break",
            CheckRule::PairIncomplete => "pair_incomplete",
            CheckRule::PairSameCaregiver => "pair_same_caregiver",
            CheckRule::PickupBeforeDelivery => "pickup_before_delivery",
            CheckRule::RideTime => "ride_time",
            CheckRule::BoxCapacity => "box_capacity",
            CheckRule::Locked => "locked",
            CheckRule::MaxCommute => "max_commute",
            CheckRule::Circle => "circle",
        }
    }
}

impl fmt::Display for CheckRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One broken rule, located by caregiver and/or visit id where it has one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Violation {
    pub rule: CheckRule,
    pub caregiver: Option<String>,
    pub visit: Option<String>,
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}]", self.rule)?;
        if let Some(c) = &self.caregiver {
            write!(f, " caregiver {c}")?;
        }
        if let Some(v) = &self.visit {
            write!(f, " visit {v}")?;
        }
        write!(f, ": {}", self.message)
    }
}
