//! Caregivers who start and end at home (the commute) and stations planned as one pool (the
//! circles): every plan passes the independent checker.

mod common;

use common::{assert_feasible, matrices, solve, visit};
use solver::{
    Caregiver, Commute, LocationIdx, Objective, Problem, ProfileIdx, ReasonCode, Seconds,
    StationCircle, TimeWindow,
};

fn caregiver(id: &str, station: &str, at: u32, shift: (i64, i64)) -> Caregiver {
    Caregiver {
        id: id.into(),
        station: Some(station.into()),
        skills: Vec::new(),
        profile: ProfileIdx(0),
        start: LocationIdx(at),
        end: LocationIdx(at),
        shift: TimeWindow::new(Seconds(shift.0), Seconds(shift.1)),
        capacity: None,
        max_route_duration: None,
        contracted: None,
        female: false,
        lunch_break: None,
        commute: None,
        circle: None,
    }
}

fn commute(max: Option<i64>, paid: bool) -> Option<Commute> {
    Some(Commute { from_start: true, to_end: true, max: max.map(Seconds), paid })
}

/// A station at point 0, three clients near it, and a home 200 units (2,000 s) away; legs
/// between visits are limited to 300 s.
fn home_day(commute: Option<Commute>, shift: (i64, i64)) -> (Problem, solver::TravelMatrices) {
    let points = [(0, 0), (10, 0), (20, 0), (10, 10), (200, 0)];
    let visits = vec![
        visit("v1", 1, (10_000, 20_000), 600),
        visit("v2", 2, (10_000, 20_000), 600),
        visit("v3", 3, (10_000, 20_000), 600),
    ];
    let mut c = caregiver("c1", "S1", 4, shift);
    c.commute = commute;
    let problem = Problem::new(
        "home",
        visits,
        vec![c],
        points.len(),
        2,
        Some(Seconds(300)),
        Objective::TravelTime,
        1,
    )
    .expect("valid");
    (problem, matrices(&points))
}

#[test]
fn a_caregiver_starting_at_home_outside_the_circle_still_plans() {
    let (problem, travel) = home_day(commute(None, true), (0, 40_000));
    let plan = solve(&problem, &travel, 1, 2_000);
    assert_feasible(&problem, &travel, &plan);
    assert_eq!(plan.kpis.visits_served, 3, "{:?}", plan.unassigned);
    assert!(plan.kpis.longest_leg > Seconds(300), "the commute is longer than the circle");
    // Without the commute the same home is a depot under the leg limit: nothing is served.
    let (fenced, travel) = home_day(None, (0, 40_000));
    let plan = solve(&fenced, &travel, 1, 2_000);
    assert_feasible(&fenced, &travel, &plan);
    assert_eq!(plan.kpis.visits_served, 0);
    assert!(plan.unassigned.iter().all(|u| u.reason == ReasonCode::MaxLeg), "{plan:?}");
}

#[test]
fn an_unpaid_commute_lies_outside_the_shift_and_the_working_time() {
    // The shift is the working day at the clients: 10,000 to 13,000.
    let (problem, travel) = home_day(commute(None, false), (10_000, 13_000));
    let plan = solve(&problem, &travel, 1, 2_000);
    let report = assert_feasible(&problem, &travel, &plan);
    assert_eq!(plan.kpis.visits_served, 3, "{:?}", plan.unassigned);
    let route = &plan.routes[0];
    assert!(route.departure < Seconds(10_000), "leaves home before the shift: {route:?}");
    assert!(route.return_time > Seconds(13_000), "home after the shift: {route:?}");
    let first = route.stops[0].arrival - route.departure;
    let last = route.return_time - route.stops[2].end;
    let working = route.return_time - route.departure - first - last;
    assert_eq!(plan.kpis.working_time, working);
    assert!(working <= Seconds(3_000));
    assert_eq!(report.travel_time, plan.kpis.travel_time, "the commute is still travel");
    // Paid, the same commute does not fit the shift.
    let (paid, travel) = home_day(commute(None, true), (10_000, 13_000));
    let plan = solve(&paid, &travel, 1, 2_000);
    assert_feasible(&paid, &travel, &plan);
    assert_eq!(plan.kpis.visits_served, 0);
}

#[test]
fn a_commute_over_its_limit_leaves_the_visits_unassigned_with_its_reason() {
    let (problem, travel) = home_day(commute(Some(1_000), true), (0, 40_000));
    let plan = solve(&problem, &travel, 1, 500);
    assert_feasible(&problem, &travel, &plan);
    assert_eq!(plan.kpis.visits_served, 0);
    assert!(plan.unassigned.iter().all(|u| u.reason == ReasonCode::MaxCommute), "{plan:?}");
}

#[test]
fn random_days_with_commuters_pass_the_checker() {
    for seed in 0..24 {
        let (p, travel) = common::random_home_care_problem(seed, 25, 4);
        let mut caregivers = p.caregivers.clone();
        for (k, c) in
            caregivers.iter_mut().enumerate().filter(|(k, _)| (k + seed as usize).is_multiple_of(2))
        {
            // A home at some client's point; some commute from it only, some to it only.
            let home = p.visits[(k * 7 + seed as usize) % p.visits.len()].location;
            let (from_start, to_end) = [(true, true), (true, false), (false, true)][k % 3];
            if from_start {
                c.start = home;
            }
            if to_end {
                c.end = home;
            }
            let max = [None, Some(Seconds(400)), Some(Seconds(2_000))][(k + seed as usize) % 3];
            c.commute = Some(Commute { from_start, to_end, max, paid: seed % 3 != 0 });
        }
        let problem = Problem::new(
            "commuters",
            p.visits.clone(),
            caregivers,
            p.num_locations,
            p.num_profiles,
            p.max_leg,
            p.objective,
            1,
        )
        .and_then(|q| q.with_links(p.links.clone()))
        .and_then(|q| q.with_soft_costs(p.soft))
        .expect("valid");
        let plan = solve(&problem, &travel, seed, 400);
        assert_feasible(&problem, &travel, &plan);
    }
}

/// Two stations 100 units (1,000 s) apart; S1's client at point 2 needs a skill only S2's
/// caregiver holds.
fn pool(reach: i64) -> (Problem, solver::TravelMatrices) {
    let points = [(0, 0), (100, 0), (5, 0)];
    let mut v = visit("v1", 2, (0, 20_000), 600);
    v.station = Some("S1".into());
    v.skills = vec!["bathing".into()];
    let circle = |center: u32, reach: i64| {
        Some(StationCircle {
            center: LocationIdx(center),
            reach: Seconds(reach),
            max_leg: Seconds(2_000),
        })
    };
    let mut a = caregiver("a", "S1", 0, (0, 40_000));
    a.circle = circle(0, 900);
    let mut b = caregiver("b", "S2", 1, (0, 40_000));
    b.skills = vec!["bathing".into()];
    b.circle = circle(1, reach);
    let problem =
        Problem::new("pool", vec![v], vec![a, b], points.len(), 2, None, Objective::TravelTime, 1)
            .expect("valid");
    (problem, matrices(&points))
}

#[test]
fn another_station_serves_a_client_inside_its_circle_only() {
    let (inside, travel) = pool(1_000);
    let plan = solve(&inside, &travel, 1, 300);
    assert_feasible(&inside, &travel, &plan);
    assert_eq!(plan.routes.first().map(|r| r.caregiver.as_str()), Some("b"));
    let (outside, travel) = pool(900);
    let plan = solve(&outside, &travel, 1, 300);
    assert_feasible(&outside, &travel, &plan);
    assert_eq!(plan.unassigned.first().map(|u| u.reason), Some(ReasonCode::Circle));
}
