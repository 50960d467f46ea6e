//! Meal rounds: meals picked up at a canteen and delivered by the same caregiver, within the
//! ride-time limit, never more on board than the box holds; the plan may choose among the
//! canteens a client allows. Points (10 s per unit): 0 the station, 1 and 4 canteens, 2 and 3
//! clients.

use crate::{caregiver, reason, solve, stop, visit};
use solver::check::{check, CheckRule};
use solver::{
    Objective, PickupDelivery, Plan, Problem, ReasonCode, Route, Seconds, Stop, TravelMatrices,
};

const LUNCH: (i64, i64) = (0, 10_000);

fn meal(
    id: &str,
    client_point: u32,
    canteens: &[(&str, u32)],
) -> (Vec<solver::Visit>, PickupDelivery) {
    let mut visits = vec![visit(id, client_point, LUNCH, 60)];
    let mut pickups = Vec::new();
    for (canteen, point) in canteens {
        let pickup = format!("{id}@{canteen}");
        visits.push(visit(&pickup, *point, LUNCH, 30));
        pickups.push(pickup);
    }
    let pair = PickupDelivery { pickups, delivery: id.into(), quantity: 1, max_ride: None };
    (visits, pair)
}

fn meals_problem(meals: Vec<(Vec<solver::Visit>, PickupDelivery)>, box_size: i64) -> Problem {
    let mut c = caregiver("a");
    c.capacity = Some(box_size);
    let (visits, pairs): (Vec<Vec<solver::Visit>>, Vec<PickupDelivery>) = meals.into_iter().unzip();
    Problem::new("meals", visits.concat(), vec![c], 5, 2, None, Objective::TravelTime, 1)
        .and_then(|p| p.with_pairs(pairs))
        .expect("valid problem")
}

fn order(plan: &Plan) -> Vec<&str> {
    plan.routes[0].stops.iter().map(|s| s.visit.as_str()).collect()
}

#[test]
fn a_box_of_two_carries_both_meals_in_one_round() {
    let p = meals_problem(vec![meal("m1", 2, &[("K", 1)]), meal("m2", 3, &[("K", 1)])], 2);
    let (plan, _) = solve(&p);
    // Station -> canteen (both meals) -> 2 -> 3 -> station: 100 + 10 + 100 + 100 + 300 s.
    assert_eq!(order(&plan)[..2].iter().filter(|v| v.contains('@')).count(), 2, "{plan:?}");
    assert_eq!(plan.kpis.visits_served, 2);
    assert_eq!(plan.kpis.visits_total, 2, "pick-ups are stops, not orders");
    assert_eq!(plan.kpis.travel_time, Seconds(600));
}

#[test]
fn a_box_of_one_goes_back_for_the_second_meal() {
    let p = meals_problem(vec![meal("m1", 2, &[("K", 1)]), meal("m2", 3, &[("K", 1)])], 1);
    let (plan, _) = solve(&p);
    let stops = order(&plan);
    assert_eq!(stops.len(), 4);
    // Pick-up, delivery, pick-up, delivery.
    assert!(stops[0].contains('@') && !stops[1].contains('@'), "{stops:?}");
    assert!(stops[2].contains('@') && !stops[3].contains('@'), "{stops:?}");
}

#[test]
fn the_plan_chooses_the_nearer_canteen() {
    // Client at 2; canteens at 4 (20 units away) and 1 (10 units away, on the way).
    let p = meals_problem(vec![meal("m1", 2, &[("far", 4), ("near", 1)])], 2);
    let (plan, _) = solve(&p);
    assert_eq!(order(&plan), vec!["m1@near", "m1"]);
}

#[test]
fn the_plan_takes_the_other_canteen_when_the_near_one_is_not_ready() {
    let (mut visits, pair) = meal("m1", 2, &[("far", 4), ("near", 1)]);
    // The near canteen's meals are ready only after the client's lunch window.
    visits[0].windows = vec![solver::TimeWindow::new(Seconds(0), Seconds(2_000))];
    visits[2].windows = vec![solver::TimeWindow::new(Seconds(5_000), Seconds(9_000))];
    let (plan, _) = solve(&meals_problem(vec![(visits, pair)], 2));
    assert_eq!(order(&plan), vec!["m1@far", "m1"]);
}

#[test]
fn a_meal_too_far_for_the_ride_time_names_the_rule() {
    let (visits, mut pair) = meal("m1", 4, &[("K", 1)]);
    // 300 s from canteen to door, 200 s allowed.
    pair.max_ride = Some(Seconds(200));
    let (plan, _) = solve(&meals_problem(vec![(visits, pair)], 2));
    assert_eq!(reason(&plan, "m1"), ReasonCode::RideTime);
    assert!(plan.unassigned.iter().all(|u| !u.visit.contains('@')), "pick-ups are not orders");
}

#[test]
fn the_ride_time_limit_keeps_meals_apart() {
    // Two meals, one canteen, box of two: one round serves both only if the near one goes
    // first (the far one then rides 360 s of its 400); the other way round the near one
    // would ride 560 s of its 250.
    let (v1, mut p1) = meal("near", 2, &[("K", 1)]);
    let (v2, mut p2) = meal("far", 4, &[("K", 1)]);
    p1.max_ride = Some(Seconds(250));
    p2.max_ride = Some(Seconds(400));
    let (plan, _) = solve(&meals_problem(vec![(v1, p1), (v2, p2)], 2));
    let near = stop(&plan, "near").1.start.0;
    let far = stop(&plan, "far").1.start.0;
    assert!(near < far, "{plan:?}");
    assert_eq!(plan.kpis.travel_time, Seconds(800), "one round");
}

#[test]
fn more_meals_than_the_box_holds_names_the_rule() {
    let (visits, mut pair) = meal("m1", 2, &[("K", 1)]);
    pair.quantity = 3;
    let (plan, _) = solve(&meals_problem(vec![(visits, pair)], 2));
    assert_eq!(reason(&plan, "m1"), ReasonCode::BoxCapacity);
}

/// A hand-written route over the two-meal problem: stops in this order, one time unit apart
/// after the travel, as the checker recomputes.
fn route_of(p: &Problem, t: &TravelMatrices, visits: &[&str]) -> Plan {
    use solver::TravelTimes;
    let c = &p.caregivers[0];
    let (mut at, mut loc) = (Seconds(0), c.start);
    let mut stops = Vec::new();
    for id in visits {
        let v = p.visit(p.visit_idx(id).expect("visit"));
        at += t.time(c.profile, loc, v.location);
        stops.push(Stop {
            visit: id.to_string(),
            arrival: at,
            start: at,
            end: at + v.duration,
            service: None,
            pickup_for: None,
        });
        at += v.duration;
        loc = v.location;
    }
    let back = at + t.time(c.profile, loc, c.end);
    let mut plan = Plan {
        problem: p.name.clone(),
        routes: vec![Route {
            caregiver: c.id.clone(),
            departure: Seconds(0),
            return_time: back,
            stops,
            break_start: None,
            break_after: None,
            travel_time: Seconds::ZERO,
            travel_distance: solver::Meters::ZERO,
        }],
        unassigned: Vec::new(),
        kpis: Default::default(),
    };
    let report = check(p, t, &plan);
    plan.routes[0].travel_time = report.travel_time;
    plan.routes[0].travel_distance = report.travel_distance;
    plan
}

#[test]
fn the_checker_names_each_broken_meal_rule() {
    let travel = crate::common::matrices(&crate::POINTS);
    let (v1, mut p1) = meal("m1", 4, &[("K", 1)]);
    p1.max_ride = Some(Seconds(100));
    let p = meals_problem(vec![(v1, p1), meal("m2", 2, &[("K", 1)])], 1);
    let rules = |visits: &[&str]| {
        let plan = route_of(&p, &travel, visits);
        let mut rules: Vec<CheckRule> =
            check(&p, &travel, &plan).violations.iter().map(|v| v.rule).collect();
        rules.dedup();
        rules
    };
    assert_eq!(
        rules(&["m2@K", "m2"]),
        vec![CheckRule::VisitMissing],
        "m1 neither served nor listed"
    );
    assert!(rules(&["m1", "m1@K", "m2@K", "m2"]).contains(&CheckRule::PickupBeforeDelivery));
    assert!(rules(&["m1@K", "m1", "m2@K", "m2"]).contains(&CheckRule::RideTime));
    assert!(rules(&["m1@K", "m2@K", "m2", "m1"]).contains(&CheckRule::BoxCapacity));
    assert!(rules(&["m1@K", "m2@K", "m2"]).contains(&CheckRule::PairIncomplete));
    assert!(rules(&["m1", "m2@K", "m2"]).contains(&CheckRule::PairIncomplete));
}

#[test]
fn a_supper_is_picked_up_just_in_time_not_when_the_canteen_opens() {
    // The canteen is ready from 0, the client eats from 5,000: the meal may ride 200 s.
    let (mut visits, mut pair) = meal("supper", 2, &[("K", 1)]);
    visits[0].windows = vec![solver::TimeWindow::new(Seconds(5_000), Seconds(6_000))];
    pair.max_ride = Some(Seconds(200));
    let (plan, _) = solve(&meals_problem(vec![(visits, pair)], 2));
    let pickup = stop(&plan, "supper@K").1;
    let delivery = stop(&plan, "supper").1;
    assert!(delivery.start.0 - pickup.end.0 <= 200, "{plan:?}");
    assert_eq!(plan.kpis.meals.map(|m| m.delivered), Some(1));
}

/// A caregiver with a lunch break whose canteen opens early and whose client eats late: the
/// break goes where no meal is on board, so the meal is picked up just before it is brought
/// and rides within its limit (the break placed between pick-up and delivery would hold the
/// pick-up before the break's window closes, hours before supper).
#[test]
fn a_lunch_break_never_sits_inside_a_ride() {
    let (mut visits, mut pair) = meal("supper", 2, &[("K", 1)]);
    visits[0].windows = vec![solver::TimeWindow::new(Seconds(8_000), Seconds(9_000))];
    pair.max_ride = Some(Seconds(600));
    let mut c = caregiver("a");
    c.capacity = Some(2);
    c.lunch_break = Some(solver::LunchBreak {
        window: solver::TimeWindow::new(Seconds(1_000), Seconds(2_000)),
        duration: Seconds(600),
    });
    let p = Problem::new("supper", visits, vec![c], 5, 2, None, Objective::TravelTime, 1)
        .and_then(|p| p.with_pairs(vec![pair]))
        .expect("valid problem");
    let (plan, _) = solve(&p);
    assert_eq!(plan.kpis.visits_served, 1, "{plan:?}");
    let route = &plan.routes[0];
    assert!(route.break_start.is_some(), "the break is taken");
    let (pickup, delivery) = (&route.stops[0], &route.stops[1]);
    assert!(delivery.start.0 - pickup.end.0 <= 600, "{route:?}");
}
