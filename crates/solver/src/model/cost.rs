//! The definition of a plan's cost: the *specification* both the solver and the independent
//! checker follow (each computes its inputs on its own).
//!
//! ```text
//! cost = UNASSIGNED_WEIGHT * Σ_{v unassigned} (priority(v) + 1)
//!      + match objective {
//!            TravelTime    => total travel time,
//!            Distance      => total travel distance,
//!            VehiclesFirst => VEHICLE_WEIGHT * routes used + total travel distance,
//!        }
//!      + soft.lateness * Σ_v lateness(v) + soft.max_lateness * max_v lateness(v)
//!      + soft.non_preferred * #(visits served by someone not among their preferred caregivers)
//!      + soft.overtime * Σ_c max(0, working(c) - contracted(c))
//!      + soft.working_spread * (max_c working(c) - min_c working(c))
//! ```
//!
//! where `lateness(v)` is how long after `due` visit `v` starts (0 if it has no `due`),
//! `working(c)` is caregiver `c`'s return minus departure (0 if idle), over every caregiver
//! of the problem, and the spread is 0 with fewer than two caregivers.
//!
//! The weights are chosen so that each term dominates the next for any realistic day
//! (fewer than 10^4 routes, less than 10^9 m or s of travel): an unassigned visit always
//! costs more than any amount of travel, and in `VehiclesFirst` a route more than any
//! distance. The sum saturates at `i64::MAX` rather than wrapping.

use super::{Cost, Meters, Objective, Seconds, SoftCosts};

/// Cost of leaving one visit of priority 0 unassigned; a visit of priority `p` costs
/// `(p + 1)` times this.
pub const UNASSIGNED_WEIGHT: i64 = 10_000_000_000_000;

/// Cost of one route used under [`Objective::VehiclesFirst`].
pub const VEHICLE_WEIGHT: i64 = 1_000_000_000;

/// The weight of one unassigned visit of this priority, in units of [`UNASSIGNED_WEIGHT`].
pub fn unassigned_units(priority: u32) -> i64 {
    i64::from(priority) + 1
}

/// The objective term after unassigned visits.
pub fn objective_term(
    objective: Objective,
    routes_used: usize,
    travel_time: Seconds,
    travel_distance: Meters,
) -> i64 {
    match objective {
        Objective::TravelTime => travel_time.0,
        Objective::Distance => travel_distance.0,
        Objective::VehiclesFirst => {
            (routes_used as i64).saturating_mul(VEHICLE_WEIGHT).saturating_add(travel_distance.0)
        }
    }
}

/// The figures the soft rules are priced on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SoftFigures {
    pub lateness_total: Seconds,
    pub lateness_max: Seconds,
    pub non_preferred: usize,
    pub overtime: Seconds,
    pub working_spread: Seconds,
}

/// Longest minus shortest working time; 0 with fewer than two caregivers.
pub fn working_spread(working: impl Iterator<Item = Seconds>) -> Seconds {
    let (mut lo, mut hi, mut n) = (Seconds(i64::MAX), Seconds(i64::MIN), 0);
    for w in working {
        lo = lo.min(w);
        hi = hi.max(w);
        n += 1;
    }
    if n < 2 {
        Seconds::ZERO
    } else {
        hi - lo
    }
}

/// Working time beyond the contracted hours.
pub fn overtime(working: Seconds, contracted: Option<Seconds>) -> Seconds {
    contracted.map_or(Seconds::ZERO, |h| Seconds((working - h).0.max(0)))
}

/// What the soft rules cost.
pub fn soft_term(weights: SoftCosts, f: &SoftFigures) -> i64 {
    [
        (weights.lateness, f.lateness_total.0),
        (weights.max_lateness, f.lateness_max.0),
        (weights.non_preferred, f.non_preferred as i64),
        (weights.overtime, f.overtime.0),
        (weights.working_spread, f.working_spread.0),
    ]
    .iter()
    .fold(0i64, |sum, &(w, x)| sum.saturating_add(w.saturating_mul(x)))
}

/// The full cost from the sum of `unassigned_units` over unassigned visits and the
/// objective term.
pub fn total(unassigned_units_sum: i64, objective_term: i64) -> Cost {
    Cost(unassigned_units_sum.saturating_mul(UNASSIGNED_WEIGHT).saturating_add(objective_term))
}
