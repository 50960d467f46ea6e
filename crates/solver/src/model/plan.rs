//! The plan the solver returns. The JSON field names here are a stable format:
//! `routes[].caregiver`, `routes[].stops[].visit`, `.arrival`, `.start`, `.end`,
//! `unassigned[].visit`, `.reason`, `kpis`.

use super::{Cost, Meters, Seconds};
use serde::{Deserialize, Serialize};
use std::fmt;

/// One caregiver's day: the visits in order with their times.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Route {
    pub caregiver: String,
    /// When the caregiver leaves the start location.
    pub departure: Seconds,
    /// When the caregiver is back at the end location.
    pub return_time: Seconds,
    pub stops: Vec<Stop>,
    /// When the caregiver's lunch break starts, and after how many stops it comes (0: before
    /// leaving; `stops.len()`: before the way back).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub break_start: Option<Seconds>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub break_after: Option<usize>,
    pub travel_time: Seconds,
    pub travel_distance: Meters,
}

/// One visit on a route.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Stop {
    pub visit: String,
    /// When the caregiver reaches the client's home.
    pub arrival: Seconds,
    /// When the service starts (after waiting for the window, if early).
    pub start: Seconds,
    /// When the service ends.
    pub end: Seconds,
    /// The service delivered (the visit's service kind).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// On a pick-up (at a canteen), the order it picks up for: a stop on the way, not an
    /// order of its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pickup_for: Option<String>,
}

/// The rule that kept a visit out of the plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReasonCode {
    /// No caregiver holds every required skill.
    Skills,
    /// No skilled caregiver can reach the home and start inside a time window (and get back
    /// within the shift).
    TimeWindow,
    /// The visit does not fit in any skilled caregiver's shift.
    Shift,
    /// Every way of reaching the home needs a leg longer than the service-circle limit.
    MaxLeg,
    /// The visit's demand exceeds every skilled caregiver's capacity.
    Capacity,
    /// Serving it would exceed every skilled caregiver's daily route limit.
    RouteDuration,
    /// It could be served on its own, but every caregiver who could serve it is fully
    /// booked with visits of at least the same priority.
    NoRoom,
    /// It is linked to another visit (two caregivers together, or one after the other) and
    /// no pair of caregivers can serve both at the required gap.
    Link,
    /// The client needs a female caregiver and no skilled one is.
    Gender,
    /// The client refused every caregiver who could serve it.
    Refused,
    /// No caregiver who could serve it alone can also fit their lunch break around it.
    Break,
    /// A delivery (a meal) no canteen it may come from can reach within the ride-time limit.
    RideTime,
    /// A delivery's quantity is more than any caregiver's box holds.
    BoxCapacity,
    /// The travel source has no way to the home (or back) for any caregiver who could serve
    /// it: a matrix with no time for the pair, or one that does not cover the client.
    NoTravelTime,
    /// Every caregiver who could serve it starts or ends at home too far away: the commute
    /// would be longer than their limit.
    MaxCommute,
    /// It is another station's client in a pool, outside the circle of every caregiver who
    /// could serve it (and its own station's caregivers cannot).
    Circle,
}

impl ReasonCode {
    pub const ALL: [ReasonCode; 16] = [
        ReasonCode::Skills,
        ReasonCode::TimeWindow,
        ReasonCode::Shift,
        ReasonCode::MaxLeg,
        ReasonCode::Capacity,
        ReasonCode::RouteDuration,
        ReasonCode::NoRoom,
        ReasonCode::Link,
        ReasonCode::Gender,
        ReasonCode::Refused,
        ReasonCode::Break,
        ReasonCode::RideTime,
        ReasonCode::BoxCapacity,
        ReasonCode::NoTravelTime,
        ReasonCode::MaxCommute,
        ReasonCode::Circle,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReasonCode::Skills => "skills",
            ReasonCode::TimeWindow => "time_window",
            ReasonCode::Shift => "shift",
            ReasonCode::MaxLeg => "max_leg",
            ReasonCode::Capacity => "capacity",
            ReasonCode::RouteDuration => "route_duration",
            ReasonCode::NoRoom => "no_room",
            ReasonCode::Link => "link",
            ReasonCode::Gender => "gender",
            ReasonCode::Refused => "refused",
            ReasonCode::Break => "break",
            ReasonCode::RideTime => "ride_time",
            ReasonCode::BoxCapacity => "box_capacity",
            ReasonCode::NoTravelTime => "no_travel_time",
            ReasonCode::MaxCommute => "max_commute",
            ReasonCode::Circle => "circle",
        }
    }

    /// Whether the visit can never be served, whatever the rest of the plan: nobody may
    /// serve it (skills, gender, refusal) or carry it (capacity).
    pub fn is_hopeless(self) -> bool {
        matches!(
            self,
            ReasonCode::Skills
                | ReasonCode::Capacity
                | ReasonCode::Gender
                | ReasonCode::Refused
                | ReasonCode::BoxCapacity
                | ReasonCode::NoTravelTime
        )
    }

    /// A sentence for people.
    pub fn describe(self) -> &'static str {
        match self {
            ReasonCode::Skills => "no caregiver holds every required skill",
            ReasonCode::TimeWindow => "no caregiver can start it inside a time window",
            ReasonCode::Shift => "it does not fit inside any caregiver's shift",
            ReasonCode::MaxLeg => "reaching it needs a leg longer than the service-circle limit",
            ReasonCode::Capacity => "its demand exceeds every caregiver's capacity",
            ReasonCode::RouteDuration => "it would exceed every caregiver's daily route limit",
            ReasonCode::NoRoom => "every caregiver who could serve it is fully booked",
            ReasonCode::Link => {
                "no two caregivers can serve it and its linked visit at the required gap"
            }
            ReasonCode::Gender => "it needs a female caregiver and no skilled caregiver is one",
            ReasonCode::Refused => "the client refused every caregiver who could serve it",
            ReasonCode::Break => "no caregiver who could serve it can fit their break around it",
            ReasonCode::RideTime => {
                "no canteen it may come from can reach it within the ride-time limit"
            }
            ReasonCode::BoxCapacity => "it is more than any caregiver's box holds",
            ReasonCode::NoTravelTime => {
                "the travel times have no way to the home for any caregiver who could serve it"
            }
            ReasonCode::MaxCommute => {
                "every caregiver who could serve it would commute longer than their limit"
            }
            ReasonCode::Circle => {
                "it is outside the circle of every pooled station whose caregivers could serve it"
            }
        }
    }
}

impl fmt::Display for ReasonCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Unassigned {
    pub visit: String,
    pub reason: ReasonCode,
}

/// Figures a dispatcher looks at first.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Kpis {
    pub visits_total: usize,
    pub visits_served: usize,
    pub visits_unassigned: usize,
    pub caregivers_used: usize,
    pub travel_time: Seconds,
    pub travel_distance: Meters,
    /// Sum over routes of return time minus departure time.
    pub working_time: Seconds,
    pub longest_leg: Seconds,
    pub max_leg_limit: Option<Seconds>,
    /// The solver's objective value (lower is better).
    pub cost: Cost,
    /// Sum over visits of the start's lateness after the visit's `due` time.
    #[serde(default)]
    pub lateness_total: Seconds,
    /// The largest lateness of one visit.
    #[serde(default)]
    pub lateness_max: Seconds,
    /// Visits served by a caregiver who is not among the client's usual ones.
    #[serde(default)]
    pub non_preferred_visits: usize,
    /// Working time beyond contracted hours, summed over caregivers.
    #[serde(default)]
    pub overtime: Seconds,
    #[serde(default)]
    pub fairness: Fairness,
    /// Meal rounds, on problems with pick-up-and-delivery pairs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meals: Option<MealFigures>,
    /// The objective of the benchmark the problem came from, in its own units, where it
    /// has one (Mankowska et al.: (distance + total tardiness + maximum tardiness) / 3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub objective: Option<f64>,
}

/// What the meal rounds of a plan look like: deliveries made, rounds (arrivals at a
/// canteen: consecutive pick-ups there are one), and how long the meals rode from the end of
/// their pick-up to the start of their delivery.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct MealFigures {
    pub delivered: usize,
    pub rounds: usize,
    pub ride_total: Seconds,
    pub ride_mean: Seconds,
    pub ride_max: Seconds,
}

impl MealFigures {
    /// Adds another plan's figures (stations of one scenario).
    pub fn add(&mut self, other: &MealFigures) {
        self.delivered += other.delivered;
        self.rounds += other.rounds;
        self.ride_total += other.ride_total;
        self.ride_max = self.ride_max.max(other.ride_max);
        self.ride_mean = Seconds(self.ride_total.0 / (self.delivered.max(1) as i64));
    }
}

/// How evenly the work is shared among all the caregivers of the problem (idle ones count
/// with zero).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Fairness {
    pub working_min: Seconds,
    pub working_max: Seconds,
    /// `working_max - working_min`: what the fairness term prices.
    pub working_spread: Seconds,
    /// Standard deviation of working time, rounded to whole units.
    pub working_stddev: Seconds,
    pub visits_min: usize,
    pub visits_max: usize,
}

impl Fairness {
    /// From each caregiver's `(working time, visits)`.
    pub fn of(per_caregiver: &[(Seconds, usize)]) -> Fairness {
        if per_caregiver.is_empty() {
            return Fairness::default();
        }
        let n = per_caregiver.len() as f64;
        let mean = per_caregiver.iter().map(|w| w.0 .0 as f64).sum::<f64>() / n;
        let var = per_caregiver.iter().map(|w| (w.0 .0 as f64 - mean).powi(2)).sum::<f64>() / n;
        let working_min = per_caregiver.iter().map(|w| w.0).min().unwrap_or_default();
        let working_max = per_caregiver.iter().map(|w| w.0).max().unwrap_or_default();
        Fairness {
            working_min,
            working_max,
            working_spread: super::cost::working_spread(per_caregiver.iter().map(|w| w.0)),
            working_stddev: Seconds(var.sqrt().round() as i64),
            visits_min: per_caregiver.iter().map(|w| w.1).min().unwrap_or(0),
            visits_max: per_caregiver.iter().map(|w| w.1).max().unwrap_or(0),
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Plan {
    pub problem: String,
    pub routes: Vec<Route>,
    pub unassigned: Vec<Unassigned>,
    pub kpis: Kpis,
}
