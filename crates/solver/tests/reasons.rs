//! Unassigned visits get the reason that blocks them.

mod common;

use common::visit;

use solver::{
    Caregiver, LocationIdx, Objective, Problem, ProfileIdx, ReasonCode, Seconds, TimeWindow,
};

fn reasons_problem() -> (Problem, solver::TravelMatrices) {
    // Point 0 is the station; profile 0 takes 10 s per grid unit.
    let points = [(0, 0), (5, 0), (200, 0), (0, 5), (40, 0), (0, 20), (30, 0), (3, 4)];
    let mut surgery = visit("skills", 1, (0, 20_000), 60);
    surgery.skills = vec!["surgery".into()];
    let mut heavy = visit("capacity", 1, (0, 20_000), 60);
    heavy.demand = 100;
    // Two visits that both must start at 3000 far apart: only one fits; priority decides.
    let mut urgent = visit("urgent", 5, (3_000, 3_000), 100);
    urgent.priority = 2;
    let visits = vec![
        surgery,
        heavy,
        visit("far", 2, (0, 20_000), 60),
        visit("before_shift", 3, (0, 500), 60),
        visit("after_shift", 3, (9_950, 9_990), 100),
        visit("long", 4, (0, 20_000), 0),
        urgent,
        visit("ordinary", 6, (3_000, 3_000), 100),
        visit("ok", 7, (0, 20_000), 60),
    ];
    let caregivers = vec![Caregiver {
        commute: None,
        circle: None,
        id: "a".into(),
        station: None,
        skills: vec!["nursing".into()],
        profile: ProfileIdx(0),
        start: LocationIdx(0),
        end: LocationIdx(0),
        shift: TimeWindow::new(Seconds(1_000), Seconds(10_000)),
        capacity: Some(10),
        max_route_duration: Some(Seconds(700)),
        contracted: None,
        female: false,
        lunch_break: None,
    }];
    let travel = common::matrices(&points);
    let problem = Problem::new(
        "reasons",
        visits,
        caregivers,
        points.len(),
        2,
        Some(Seconds(1_000)),
        Objective::TravelTime,
        1,
    )
    .expect("valid");
    (problem, travel)
}

#[test]
fn each_blocking_rule_is_named() {
    let (problem, travel) = reasons_problem();
    let plan = common::solve(&problem, &travel, 1, 300);
    common::assert_feasible(&problem, &travel, &plan);
    let reason = |id: &str| plan.unassigned.iter().find(|u| u.visit == id).map(|u| u.reason);
    assert_eq!(reason("skills"), Some(ReasonCode::Skills));
    assert_eq!(reason("capacity"), Some(ReasonCode::Capacity));
    assert_eq!(reason("far"), Some(ReasonCode::MaxLeg));
    assert_eq!(reason("before_shift"), Some(ReasonCode::TimeWindow));
    assert_eq!(reason("after_shift"), Some(ReasonCode::Shift));
    assert_eq!(reason("long"), Some(ReasonCode::RouteDuration));
    // Both fit alone; the higher priority one is served.
    assert_eq!(reason("urgent"), None);
    assert_eq!(reason("ordinary"), Some(ReasonCode::NoRoom));
    assert_eq!(reason("ok"), None);
}

#[test]
fn reason_codes_serialise_as_snake_case() {
    for code in ReasonCode::ALL {
        let json = serde_json::to_string(&code).expect("serialises");
        assert_eq!(json, format!("\"{}\"", code.as_str()));
    }
}
