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
//!      + lateness.per_unit * Σ_v lateness(v) + lateness.max * max_v lateness(v)
//! ```
//!
//! where `lateness(v)` is how long after `due` visit `v` starts (0 if it has no `due`).
//!
//! The weights are chosen so that each term dominates the next for any realistic day
//! (fewer than 10^4 routes, less than 10^9 m or s of travel): an unassigned visit always
//! costs more than any amount of travel, and in `VehiclesFirst` a route more than any
//! distance. The sum saturates at `i64::MAX` rather than wrapping.

use super::{Cost, LatenessWeights, Meters, Objective, Seconds};

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

/// The lateness term: what the visits' lateness after their `due` times costs.
pub fn lateness_term(weights: LatenessWeights, total: Seconds, max: Seconds) -> i64 {
    weights.per_unit.saturating_mul(total.0).saturating_add(weights.max.saturating_mul(max.0))
}

/// The full cost from the sum of `unassigned_units` over unassigned visits and the
/// objective term.
pub fn total(unassigned_units_sum: i64, objective_term: i64) -> Cost {
    Cost(unassigned_units_sum.saturating_mul(UNASSIGNED_WEIGHT).saturating_add(objective_term))
}
