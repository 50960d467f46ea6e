//! Each home-care rule, one file each, on small hand-made cases whose right answer is known, including the
//! cases where the rule makes a visit unassignable and the reason must name it. Every plan
//! goes through the independent checker.

#[path = "../common/mod.rs"]
mod common;
pub(crate) use common::visit;

mod breaks;
mod continuity;
mod fairness;
mod gender;
mod lateness;
mod linked;
mod meals;
mod overtime;
mod priority;
mod refusal;
mod service_time;

use solver::{
    Caregiver, LocationIdx, Objective, Plan, Problem, ProfileIdx, ReasonCode, Seconds, TimeWindow,
    TravelMatrices, Visit,
};

/// Clients on a line, 10 s of travel per unit (profile 0): point 0 is the station.
pub(crate) const POINTS: [(i64, i64); 5] = [(0, 0), (10, 0), (20, 0), (30, 0), (40, 0)];

pub(crate) fn caregiver(id: &str) -> Caregiver {
    Caregiver {
        commute: None,
        circle: None,
        id: id.into(),
        station: None,
        skills: Vec::new(),
        profile: ProfileIdx(0),
        start: LocationIdx(0),
        end: LocationIdx(0),
        shift: TimeWindow::new(Seconds(0), Seconds(20_000)),
        capacity: None,
        max_route_duration: None,
        contracted: None,
        female: true,
        lunch_break: None,
    }
}

pub(crate) fn problem(visits: Vec<Visit>, caregivers: Vec<Caregiver>) -> Problem {
    Problem::new("rules", visits, caregivers, POINTS.len(), 2, None, Objective::TravelTime, 1)
        .expect("valid problem")
}

pub(crate) fn solve(problem: &Problem) -> (Plan, TravelMatrices) {
    let travel = common::matrices(&POINTS);
    let plan = common::solve(problem, &travel, 1, 300);
    common::assert_feasible(problem, &travel, &plan);
    (plan, travel)
}

pub(crate) fn stop<'a>(plan: &'a Plan, visit: &str) -> (&'a str, &'a solver::Stop) {
    plan.routes
        .iter()
        .find_map(|r| r.stops.iter().find(|s| s.visit == visit).map(|s| (r.caregiver.as_str(), s)))
        .unwrap_or_else(|| panic!("{visit} is not served: {:?}", plan.unassigned))
}

pub(crate) fn reason(plan: &Plan, visit: &str) -> ReasonCode {
    plan.unassigned
        .iter()
        .find(|u| u.visit == visit)
        .unwrap_or_else(|| panic!("{visit} is served"))
        .reason
}
