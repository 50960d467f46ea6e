//! The checker on hand-made plans: a good plan passes, and each bad one is caught with the
//! right rule code.

mod common;

use solver::check::{check, check_kept, CheckRule, Kept};
use solver::travel::NO_TRAVEL;
use solver::{
    Caregiver, LocationIdx, Objective, Plan, Problem, ProfileIdx, ReasonCode, Route, Seconds,
    ServiceKind, Stop, TimeWindow, TravelMatrices, TravelTimes, Unassigned, Visit, VisitLink,
};
use std::collections::HashSet;

fn visit(id: &str, location: u32, window: (i64, i64), demand: i64, skills: &[&str]) -> Visit {
    Visit {
        station: None,
        id: id.into(),
        client: None,
        location: LocationIdx(location),
        service: ServiceKind::Cleaning,
        duration: Seconds(100),
        windows: vec![TimeWindow::new(Seconds(window.0), Seconds(window.1))],
        skills: skills.iter().map(|s| s.to_string()).collect(),
        priority: 1,
        demand,
        due: None,
        duration_for: Default::default(),
        preferred: Vec::new(),
        refused: Vec::new(),
        female_only: false,
    }
}

fn caregiver(id: &str, skills: &[&str], shift: (i64, i64)) -> Caregiver {
    Caregiver {
        commute: None,
        circle: None,
        id: id.into(),
        station: None,
        skills: skills.iter().map(|s| s.to_string()).collect(),
        profile: ProfileIdx(0),
        start: LocationIdx(0),
        end: LocationIdx(0),
        shift: TimeWindow::new(Seconds(shift.0), Seconds(shift.1)),
        capacity: None,
        max_route_duration: None,
        contracted: None,
        female: false,
        lunch_break: None,
    }
}

fn problem() -> (Problem, TravelMatrices) {
    let points = [(0, 0), (10, 0), (0, 10), (10, 10), (300, 0), (5, 5)];
    let visits = vec![
        visit("v1", 1, (0, 20_000), 3, &[]),
        visit("v2", 2, (0, 20_000), 3, &["nursing"]),
        visit("v3", 3, (0, 200), 0, &[]),
        visit("v4", 4, (0, 100_000), 0, &[]),
        visit("v5", 5, (0, 20_000), 3, &[]),
    ];
    let mut a = caregiver("a", &[], (0, 5_000));
    a.capacity = Some(5);
    a.max_route_duration = Some(Seconds(3_000));
    let b = caregiver("b", &["nursing"], (1_000, 20_000));
    let travel = common::matrices(&points);
    let problem = Problem::new(
        "checker",
        visits,
        vec![a, b],
        points.len(),
        2,
        Some(Seconds(2_000)),
        Objective::TravelTime,
        1,
    )
    .expect("valid");
    (problem, travel)
}

/// The earliest schedule of `visits` for caregiver `cg`, computed here without any rule
/// checks, so that a bad order yields a plan breaking exactly the rule under test.
fn route(problem: &Problem, travel: &TravelMatrices, cg: &str, visits: &[&str]) -> Route {
    let c = problem.caregiver(problem.caregiver_idx(cg).expect("caregiver"));
    let (mut loc, mut t) = (c.start, c.shift.start);
    let (mut tt, mut td) = (Seconds(0), solver::Meters(0));
    let mut stops = Vec::new();
    for id in visits {
        let v = problem.visit(problem.visit_idx(id).expect("visit"));
        let leg = travel.time(c.profile, loc, v.location);
        tt += leg;
        td += travel.distance(c.profile, loc, v.location);
        let arrival = t + leg;
        let start = arrival.max(v.windows[0].start);
        stops.push(Stop {
            visit: v.id.clone(),
            arrival,
            start,
            end: start + v.duration,
            service: None,
            pickup_for: None,
        });
        t = start + v.duration;
        loc = v.location;
    }
    let leg = travel.time(c.profile, loc, c.end);
    Route {
        caregiver: cg.into(),
        departure: c.shift.start,
        return_time: t + leg,
        stops,
        break_start: None,
        break_after: None,
        travel_time: tt + leg,
        travel_distance: td + travel.distance(c.profile, loc, c.end),
    }
}

fn plan(routes: Vec<Route>, unassigned: &[&str]) -> Plan {
    Plan {
        problem: "checker".into(),
        routes,
        unassigned: unassigned
            .iter()
            .map(|v| Unassigned { visit: v.to_string(), reason: ReasonCode::NoRoom })
            .collect(),
        kpis: Default::default(),
    }
}

fn good(problem: &Problem, travel: &TravelMatrices) -> Plan {
    plan(
        vec![
            route(problem, travel, "a", &["v3"]),
            route(problem, travel, "b", &["v2", "v1", "v5"]),
        ],
        &["v4"],
    )
}

/// Asserts that `plan` breaks `rule` (and reports it).
fn assert_breaks(problem: &Problem, travel: &TravelMatrices, plan: &Plan, rule: CheckRule) {
    let report = check(problem, travel, plan);
    assert!(
        report.has(rule),
        "expected {rule}, got {:?}",
        report.violations.iter().map(|v| v.to_string()).collect::<Vec<_>>()
    );
    assert!(!report.is_feasible());
}

#[test]
fn a_good_plan_passes_and_its_figures_are_recomputed() {
    let (problem, travel) = problem();
    let plan = good(&problem, &travel);
    let report = check(&problem, &travel, &plan);
    assert!(report.is_feasible(), "{:?}", report.violations);
    assert_eq!(report.routes_used, 2);
    assert_eq!(report.visits_served, 4);
    assert_eq!(report.visits_unassigned, 1);
    let tt: Seconds = plan.routes.iter().map(|r| r.travel_time).sum();
    assert_eq!(report.travel_time, tt);
    // One unassigned visit of priority 1 costs 2 units, plus the travel time.
    assert_eq!(report.cost, solver::cost::total(2, tt.0));
    assert_eq!(report.longest_leg, Seconds(142));
}

#[test]
fn every_rule_is_caught() {
    let (p, t) = problem();
    let base = || good(&p, &t);
    let cases: Vec<(CheckRule, Plan)> = vec![
        (CheckRule::UnknownCaregiver, {
            let mut x = base();
            x.routes[0].caregiver = "ghost".into();
            x
        }),
        (CheckRule::UnknownVisit, {
            let mut x = base();
            x.unassigned.push(Unassigned { visit: "ghost".into(), reason: ReasonCode::NoRoom });
            x
        }),
        (CheckRule::CaregiverUsedTwice, {
            plan(
                vec![
                    route(&p, &t, "a", &["v3"]),
                    route(&p, &t, "a", &["v1"]),
                    route(&p, &t, "b", &["v2", "v5"]),
                ],
                &["v4"],
            )
        }),
        (CheckRule::VisitServedTwice, {
            plan(
                vec![route(&p, &t, "a", &["v3", "v1"]), route(&p, &t, "b", &["v2", "v1", "v5"])],
                &["v4"],
            )
        }),
        (CheckRule::UnassignedTwice, {
            let mut x = base();
            x.unassigned.push(x.unassigned[0].clone());
            x
        }),
        (CheckRule::ServedAndUnassigned, {
            let mut x = base();
            x.unassigned.push(Unassigned { visit: "v1".into(), reason: ReasonCode::NoRoom });
            x
        }),
        (CheckRule::VisitMissing, {
            let mut x = base();
            x.unassigned.clear();
            x
        }),
        (CheckRule::Skills, {
            plan(
                vec![route(&p, &t, "a", &["v3", "v2"]), route(&p, &t, "b", &["v1", "v5"])],
                &["v4"],
            )
        }),
        (CheckRule::TimeWindow, {
            plan(vec![route(&p, &t, "b", &["v3", "v2", "v1", "v5"])], &["v4"])
        }),
        (CheckRule::ShiftStart, {
            let mut x = base();
            x.routes[0].departure = Seconds(-10);
            x
        }),
        (CheckRule::ShiftEnd, {
            let mut x = base();
            x.routes[0].return_time = Seconds(6_000);
            x
        }),
        (CheckRule::Capacity, {
            plan(
                vec![route(&p, &t, "a", &["v3", "v1", "v5"]), route(&p, &t, "b", &["v2"])],
                &["v4"],
            )
        }),
        (CheckRule::MaxLeg, {
            plan(
                vec![route(&p, &t, "a", &["v3"]), route(&p, &t, "b", &["v2", "v1", "v5", "v4"])],
                &[],
            )
        }),
        (CheckRule::RouteDuration, {
            let mut x = base();
            x.routes[0].return_time = Seconds(3_500);
            x
        }),
        (CheckRule::Schedule, {
            let mut x = base();
            x.routes[1].stops[1].arrival -= Seconds(1);
            x
        }),
        (CheckRule::Schedule, {
            let mut x = base();
            x.routes[1].stops[0].end += Seconds(1);
            x
        }),
        (CheckRule::Schedule, {
            let mut x = base();
            x.routes[1].stops[2].start = x.routes[1].stops[2].arrival - Seconds(1);
            x
        }),
        (CheckRule::TravelFigures, {
            let mut x = base();
            x.routes[1].travel_distance += solver::Meters(1);
            x
        }),
    ];
    let mut covered: Vec<CheckRule> = Vec::new();
    for (rule, plan) in &cases {
        assert_breaks(&p, &t, plan, *rule);
        covered.push(*rule);
    }
    // Links, on the good plan: v3 on a's route, v2, v1 and v5 on b's, v4 unassigned.
    let linked = |first: &str, second: &str, gap: (i64, i64)| {
        let link = VisitLink {
            first: first.into(),
            second: second.into(),
            min_gap: Seconds(gap.0),
            max_gap: Seconds(gap.1),
        };
        p.clone().with_links(vec![link]).expect("valid link")
    };
    let plan = base();
    let start = |id: &str| {
        plan.routes.iter().flat_map(|r| &r.stops).find(|s| s.visit == id).expect("served").start
    };
    let gap = (start("v2") - start("v3")).0;
    let exact = linked("v3", "v2", (gap, gap));
    assert!(check(&exact, &t, &plan).is_feasible(), "a link met exactly passes");
    // Gender and refusal: v2 is on b's route.
    let with_visit = |f: &dyn Fn(&mut Visit)| {
        let mut visits = p.visits.clone();
        f(&mut visits[1]);
        Problem::new("checker", visits, p.caregivers.clone(), 6, 2, p.max_leg, p.objective, 1)
            .expect("valid")
    };
    let female_only = with_visit(&|v: &mut Visit| v.female_only = true);
    let refused = with_visit(&|v: &mut Visit| v.refused = vec!["b".into()]);
    // A caregiver with a lunch break whose route reports none.
    let mut with_break = p.caregivers.clone();
    with_break[0].lunch_break = Some(solver::LunchBreak {
        window: TimeWindow::new(Seconds(0), Seconds(10_000)),
        duration: Seconds(60),
    });
    let lunch =
        Problem::new("checker", p.visits.clone(), with_break, 6, 2, p.max_leg, p.objective, 1)
            .expect("valid");
    // b commutes to v2 (10 away) under a commute limit of 1.
    let mut commuting = p.caregivers.clone();
    commuting[1].commute = Some(solver::Commute {
        from_start: true,
        to_end: false,
        max: Some(Seconds(1)),
        paid: true,
    });
    let commute =
        Problem::new("checker", p.visits.clone(), commuting, 6, 2, p.max_leg, p.objective, 1)
            .expect("valid");
    // In a pool, b (station S2, centred on point 4, 290 from v1) serves v1, a client of S1.
    let mut pooled = p.caregivers.clone();
    pooled[1].station = Some("S2".into());
    pooled[1].circle = Some(solver::StationCircle {
        center: LocationIdx(4),
        reach: Seconds(100),
        max_leg: Seconds(2_000),
    });
    let mut visits = p.visits.clone();
    visits[0].station = Some("S1".into());
    let circle =
        Problem::new("checker", visits, pooled, 6, 2, p.max_leg, p.objective, 1).expect("valid");
    // Pairs on the good plan (b serves v2, v1, v5 in that order): the visits' own demand
    // goes (the pair carries the load) and every box holds one.
    let paired = |pickup: &str, delivery: &str, quantity: i64, max_ride: Option<i64>| {
        let mut visits = p.visits.clone();
        visits.iter_mut().for_each(|v| v.demand = 0);
        let mut caregivers = p.caregivers.clone();
        caregivers.iter_mut().for_each(|c| c.capacity = Some(1));
        let pair = solver::PickupDelivery {
            pickups: vec![pickup.into()],
            delivery: delivery.into(),
            quantity,
            max_ride: max_ride.map(Seconds),
        };
        Problem::new("checker", visits, caregivers, 6, 2, p.max_leg, p.objective, 1)
            .and_then(|q| q.with_pairs(vec![pair]))
            .expect("valid pair")
    };
    assert!(check(&paired("v2", "v1", 1, None), &t, &plan).is_feasible(), "a good pair passes");
    for (rule, problem) in [
        (CheckRule::PairIncomplete, paired("v4", "v3", 1, None)),
        (CheckRule::PairSameCaregiver, paired("v3", "v2", 1, None)),
        (CheckRule::PickupBeforeDelivery, paired("v1", "v2", 1, None)),
        (CheckRule::RideTime, paired("v2", "v1", 1, Some(0))),
        (CheckRule::BoxCapacity, paired("v2", "v1", 2, None)),
        (CheckRule::Break, lunch),
        (CheckRule::MaxCommute, commute),
        (CheckRule::Circle, circle),
        (CheckRule::Gender, female_only),
        (CheckRule::Refused, refused),
        (CheckRule::LinkGap, linked("v3", "v2", (gap + 1, gap + 100))),
        (CheckRule::LinkGap, linked("v3", "v2", (0, gap - 1))),
        (CheckRule::LinkSameCaregiver, linked("v2", "v1", (-100_000, 100_000))),
        (CheckRule::LinkIncomplete, linked("v3", "v4", (-100_000, 100_000))),
    ] {
        assert_breaks(&problem, &t, &plan, rule);
        covered.push(rule);
    }
    // A re-plan against the good plan at the start of b's second visit (v1), which started.
    let before = good(&p, &t);
    let now = before.routes[1].stops[1].start;
    let started: HashSet<String> = ["v1".to_string()].into();
    let kept = Kept { before: &before, visits: &started, now };
    assert!(check_kept(&kept, &before).is_empty(), "the same plan keeps everything");
    let later = |f: &dyn Fn(&mut Plan)| {
        let mut after = before.clone();
        f(&mut after);
        check_kept(&kept, &after).iter().map(|v| v.rule).collect::<Vec<_>>()
    };
    // The started visit moved; a visit not kept moved to before now; b's lunch break, taken
    // before now, moved.
    let moved: [&dyn Fn(&mut Plan); 3] = [
        &|a| a.routes[1].stops[1].start += Seconds(1),
        &|a| a.routes[1].stops[2].start = now - Seconds(1),
        &|a| a.routes[1].break_start = Some(now + Seconds(5)),
    ];
    let mut with_break = before.clone();
    with_break.routes[1].break_start = Some(now - Seconds(10));
    let kept_break = Kept { before: &with_break, ..kept };
    assert_eq!(later(moved[0]), vec![CheckRule::Locked]);
    assert_eq!(later(moved[1]), vec![CheckRule::Locked]);
    let mut after = with_break.clone();
    moved[2](&mut after);
    let rules: Vec<CheckRule> = check_kept(&kept_break, &after).iter().map(|v| v.rule).collect();
    assert_eq!(rules, vec![CheckRule::Locked]);
    covered.push(CheckRule::Locked);
    // A travel source with no way from the depot to v3's home: the good plan takes that leg.
    let no_way = {
        let n = 6; // the problem's points
        let profiles = (0..2u32)
            .map(|k| {
                let m = t.profile(solver::ProfileIdx(k));
                let (mut secs, mut metres) = (Vec::new(), Vec::new());
                for a in 0..n {
                    for b in 0..n {
                        let (la, lb) =
                            (solver::LocationIdx(a as u32), solver::LocationIdx(b as u32));
                        let gone = a == 0 && b == 3;
                        secs.push(if gone { Seconds(NO_TRAVEL) } else { m.time(la, lb) });
                        metres.push(if gone {
                            solver::Meters(NO_TRAVEL)
                        } else {
                            m.distance(la, lb)
                        });
                    }
                }
                solver::DenseMatrix::new(n, secs, metres).expect("square")
            })
            .collect();
        TravelMatrices::new(profiles).expect("same size")
    };
    let mut over_no_way = base();
    for r in &mut over_no_way.routes {
        let stops: Vec<&str> = r.stops.iter().map(|s| s.visit.as_str()).collect();
        *r = route(&p, &no_way, &r.caregiver.clone(), &stops);
    }
    assert_breaks(&p, &no_way, &over_no_way, CheckRule::NoTravelTime);
    covered.push(CheckRule::NoTravelTime);
    for rule in CheckRule::ALL {
        assert!(covered.contains(&rule), "no test case for {rule}");
    }
}

/// A caregiver's own service time is the one checked; lateness after `due` is priced.
#[test]
fn caregiver_durations_and_lateness_are_checked() {
    let (p, t) = problem();
    let mut visits = p.visits.clone();
    visits[1].duration_for.insert("b".into(), Seconds(150));
    visits[1].due = Some(Seconds(0));
    let slow =
        Problem::new("checker", visits, p.caregivers.clone(), 6, 2, p.max_leg, p.objective, 1)
            .expect("valid");
    let plan = good(&p, &t);
    // `route` uses the visit's base duration, so v2's end is now 50 short.
    assert_breaks(&slow, &t, &plan, CheckRule::Schedule);
    let mut fixed = plan.clone();
    let stops = &mut fixed.routes[1].stops;
    stops[0].end += Seconds(50);
    for s in stops.iter_mut().skip(1) {
        s.arrival += Seconds(50);
        s.start += Seconds(50);
        s.end += Seconds(50);
    }
    fixed.routes[1].return_time += Seconds(50);
    let report = check(&slow, &t, &fixed);
    assert!(report.is_feasible(), "{:?}", report.violations);
    let late = fixed.routes[1].stops[0].start;
    assert_eq!(report.soft.lateness_total, late);
    assert_eq!(report.soft.lateness_max, late);
    let travel: Seconds = fixed.routes.iter().map(|r| r.travel_time).sum();
    // Default weights: a second late costs a second of travel.
    assert_eq!(report.cost, solver::cost::total(2, travel.0 + late.0));
}

#[test]
fn violations_display_and_serialise_with_stable_codes() {
    let (p, t) = problem();
    let mut x = good(&p, &t);
    x.routes[0].return_time = Seconds(6_000);
    let report = check(&p, &t, &x);
    let v = report.violations.iter().find(|v| v.rule == CheckRule::ShiftEnd).expect("shift_end");
    assert!(v.to_string().starts_with("[shift_end] caregiver a:"), "{v}");
    let json = serde_json::to_value(v).expect("serialises");
    assert_eq!(json["rule"], "shift_end");
    for rule in CheckRule::ALL {
        assert_eq!(serde_json::to_value(rule).expect("serialises"), rule.as_str());
    }
}

#[test]
fn solver_plans_pass() {
    let (p, t) = problem();
    let plan = common::solve(&p, &t, 5, 200);
    let report = common::assert_feasible(&p, &t, &plan);
    assert_eq!(report.visits_served, 4, "{plan:?}");
}
