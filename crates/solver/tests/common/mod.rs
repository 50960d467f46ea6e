//! Shared test helpers: a generator of whole small problems and a solve-and-check helper.
#![allow(dead_code)]

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use solver::check::{check, CheckReport};
use solver::{
    Caregiver, DenseMatrix, Environment, LocationIdx, MaxIterations, Meters, Objective, Plan,
    Problem, ProfileIdx, Seconds, ServiceKind, TimeWindow, TravelMatrices, Visit,
};

pub const SKILLS: [&str; 3] = ["nursing", "bathing", "driving"];

/// Euclidean matrices over integer grid points: profile 0 at 10 s per unit, profile 1
/// (slower) at 25 s per unit; distances 15 m per unit. Rounded up, so they are metric.
pub fn matrices(points: &[(i64, i64)]) -> TravelMatrices {
    let n = points.len();
    let euclid = |a: usize, b: usize| {
        let (dx, dy) = ((points[a].0 - points[b].0) as f64, (points[a].1 - points[b].1) as f64);
        dx.hypot(dy)
    };
    let profile = |secs_per_unit: f64| {
        let mut t = Vec::with_capacity(n * n);
        let mut d = Vec::with_capacity(n * n);
        for a in 0..n {
            for b in 0..n {
                t.push(Seconds((euclid(a, b) * secs_per_unit).ceil() as i64));
                d.push(Meters((euclid(a, b) * 15.0).ceil() as i64));
            }
        }
        DenseMatrix::new(n, t, d).expect("square")
    };
    TravelMatrices::new(vec![profile(10.0), profile(25.0)]).expect("same size")
}

/// A random problem with `n_visits` visits and `n_caregivers` caregivers; the rest comes
/// from `seed`. Some visits are impossible (a skill nobody has, a window outside every
/// shift, a far-away home) and the leg limit, capacities and route limits sometimes bind.
pub fn random_problem(
    seed: u64,
    n_visits: usize,
    n_caregivers: usize,
) -> (Problem, TravelMatrices) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let n_depots = rng.gen_range(1..=2);
    let mut points: Vec<(i64, i64)> =
        (0..n_depots).map(|_| (rng.gen_range(40..60), rng.gen_range(40..60))).collect();
    let mut visits = Vec::new();
    for i in 0..n_visits {
        let far = rng.gen_bool(0.05);
        let p = if far { (1000, 1000) } else { (rng.gen_range(0..100), rng.gen_range(0..100)) };
        points.push(p);
        let mut windows = Vec::new();
        let mut t = rng.gen_range(0..4_000);
        for _ in 0..rng.gen_range(1..=2) {
            let len = rng.gen_range(0..3_000);
            windows.push(TimeWindow::new(Seconds(t), Seconds(t + len)));
            t += len + rng.gen_range(1..3_000);
        }
        if rng.gen_bool(0.05) {
            // Starts after every shift has ended.
            windows = vec![TimeWindow::new(Seconds(50_000), Seconds(50_100))];
        }
        let mut skills: Vec<String> =
            SKILLS.iter().filter(|_| rng.gen_bool(0.2)).map(|s| s.to_string()).collect();
        if rng.gen_bool(0.05) {
            skills.push("surgery".into());
        }
        visits.push(Visit {
            station: None,
            id: format!("v{i:02}"),
            client: None,
            location: LocationIdx(points.len() as u32 - 1),
            service: ServiceKind::Meal,
            duration: Seconds(rng.gen_range(0..900)),
            windows,
            skills,
            priority: rng.gen_range(0..3),
            demand: rng.gen_range(0..4),
            due: None,
            duration_for: Default::default(),
            preferred: Vec::new(),
            refused: Vec::new(),
            female_only: false,
        });
    }
    let caregivers = (0..n_caregivers)
        .map(|k| {
            let depot = LocationIdx(rng.gen_range(0..n_depots) as u32);
            let start = rng.gen_range(0..3_000);
            Caregiver {
                commute: None,
                circle: None,
                id: format!("c{k}"),
                station: None,
                skills: SKILLS
                    .iter()
                    .filter(|_| rng.gen_bool(0.6))
                    .map(|s| s.to_string())
                    .collect(),
                profile: ProfileIdx(rng.gen_range(0..2)),
                start: depot,
                end: if rng.gen_bool(0.8) { depot } else { LocationIdx(0) },
                shift: TimeWindow::new(
                    Seconds(start),
                    Seconds(start + rng.gen_range(2_000..12_000)),
                ),
                capacity: rng.gen_bool(0.5).then(|| rng.gen_range(2..12)),
                max_route_duration: rng.gen_bool(0.3).then(|| Seconds(rng.gen_range(1_500..8_000))),
                contracted: None,
                female: false,
                lunch_break: None,
            }
        })
        .collect();
    let max_leg = rng.gen_bool(0.5).then(|| Seconds(rng.gen_range(300..1_200)));
    let objective =
        [Objective::TravelTime, Objective::Distance, Objective::VehiclesFirst][rng.gen_range(0..3)];
    let travel = matrices(&points);
    let problem =
        Problem::new("random", visits, caregivers, points.len(), 2, max_leg, objective, 1)
            .expect("valid problem");
    (problem, travel)
}

/// Solves with a fixed iteration budget.
pub fn solve(problem: &Problem, travel: &TravelMatrices, seed: u64, iterations: u64) -> Plan {
    let mut env = Environment::new(seed, MaxIterations(iterations));
    solver::solve(problem, travel, &mut env)
}

/// Checks a plan and fails the test with every violation listed if it is infeasible.
pub fn assert_feasible(problem: &Problem, travel: &TravelMatrices, plan: &Plan) -> CheckReport {
    let report = check(problem, travel, plan);
    let listed: Vec<String> = report.violations.iter().map(|v| v.to_string()).collect();
    assert!(report.is_feasible(), "checker rejects the plan:\n{}", listed.join("\n"));
    assert_eq!(report.cost, plan.kpis.cost, "checker cost differs from the solver's");
    report
}

/// [`random_problem`] with every home-care rule switched on: about a third of the visits in
/// linked pairs (synchronised or with a gap), soft deadlines inside some windows, slower
/// service by some caregivers, female-only visits, usual and refused caregivers, contracted
/// hours, and random weights for lateness, continuity, overtime and fairness.
pub fn random_home_care_problem(
    seed: u64,
    n_visits: usize,
    n_caregivers: usize,
) -> (Problem, TravelMatrices) {
    let (base, travel) = random_problem(seed, n_visits, n_caregivers);
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5eed);
    let mut caregivers = base.caregivers.clone();
    for c in &mut caregivers {
        c.female = rng.gen_bool(0.7);
        c.contracted = rng.gen_bool(0.4).then(|| Seconds(rng.gen_range(500..4_000)));
        if rng.gen_bool(0.3) {
            let open = c.shift.start.0 + rng.gen_range(0..3_000);
            c.lunch_break = Some(solver::LunchBreak {
                window: TimeWindow::new(Seconds(open), Seconds(open + rng.gen_range(0..2_000))),
                duration: Seconds(rng.gen_range(0..900)),
            });
        }
    }
    let ids: Vec<String> = caregivers.iter().map(|c| c.id.clone()).collect();
    let mut visits = base.visits.clone();
    for v in &mut visits {
        v.female_only = rng.gen_bool(0.2);
        if !ids.is_empty() && rng.gen_bool(0.4) {
            v.preferred = vec![ids[rng.gen_range(0..ids.len())].clone()];
        }
        if !ids.is_empty() && rng.gen_bool(0.15) {
            v.refused = vec![ids[rng.gen_range(0..ids.len())].clone()];
        }
        if rng.gen_bool(0.5) {
            let w = v.windows[0];
            v.due = Some(Seconds(rng.gen_range(w.start.0..=w.end.0)));
        }
        for c in &caregivers {
            if rng.gen_bool(0.2) {
                v.duration_for.insert(c.id.clone(), v.duration + Seconds(rng.gen_range(0..200)));
            }
        }
    }
    let mut links = Vec::new();
    let mut order: Vec<usize> = (0..visits.len()).collect();
    for i in (1..order.len()).rev() {
        order.swap(i, rng.gen_range(0..=i));
    }
    for pair in order.chunks(2).take(visits.len() / 6) {
        if let [a, b] = *pair {
            let (min, max) = if rng.gen_bool(0.5) {
                (0, 0)
            } else {
                let min = rng.gen_range(-600..600);
                (min, min + rng.gen_range(0..1_200))
            };
            links.push(solver::VisitLink {
                first: visits[a].id.clone(),
                second: visits[b].id.clone(),
                min_gap: Seconds(min),
                max_gap: Seconds(max),
            });
        }
    }
    let weights = solver::SoftCosts {
        lateness: rng.gen_range(0..3),
        max_lateness: rng.gen_range(0..3),
        non_preferred: rng.gen_range(0..1_000),
        overtime: rng.gen_range(0..4),
        working_spread: rng.gen_range(0..2),
    };
    let problem = Problem::new(
        "random-home-care",
        visits,
        caregivers,
        base.num_locations,
        base.num_profiles,
        base.max_leg,
        base.objective,
        1,
    )
    .and_then(|p| p.with_links(links))
    .and_then(|p| p.with_soft_costs(weights))
    .expect("valid problem");
    (problem, travel)
}

/// [`random_home_care_problem`] without linked visits: every rule the one search prices
/// route by route or over the whole day (deadlines, continuity, overtime, caregiver service
/// times, lunch breaks, the latest lateness, the fairness spread), with skills, gender and
/// refusals.
pub fn random_soft_problem(
    seed: u64,
    n_visits: usize,
    n_caregivers: usize,
) -> (Problem, TravelMatrices) {
    let (p, travel) = random_home_care_problem(seed, n_visits, n_caregivers);
    let problem = Problem::new(
        "random-soft",
        p.visits.clone(),
        p.caregivers.clone(),
        p.num_locations,
        p.num_profiles,
        p.max_leg,
        p.objective,
        p.time_scale,
    )
    .and_then(|q| q.with_soft_costs(p.soft))
    .expect("valid problem");
    (problem, travel)
}

/// A plain visit for hand-made cases: one window, no skills, priority 0, no home-care rules.
pub fn visit(id: &str, location: u32, window: (i64, i64), duration: i64) -> Visit {
    Visit {
        station: None,
        id: id.into(),
        client: None,
        location: LocationIdx(location),
        service: ServiceKind::PersonalCare,
        duration: Seconds(duration),
        windows: vec![TimeWindow::new(Seconds(window.0), Seconds(window.1))],
        skills: Vec::new(),
        priority: 0,
        demand: 0,
        due: None,
        duration_for: Default::default(),
        preferred: Vec::new(),
        refused: Vec::new(),
        female_only: false,
    }
}

/// [`random_problem`] with pick-up-and-delivery pairs: about two thirds of the visits become
/// pairs (a delivery and one or two alternative pick-ups, a quantity of 0-3, a ride-time
/// limit on some), the rest stay single; boxes hold 1-5 and some caregivers take a lunch break.
pub fn random_pairs_problem(
    seed: u64,
    n_visits: usize,
    n_caregivers: usize,
) -> (Problem, TravelMatrices) {
    let (base, travel) = random_problem(seed, n_visits, n_caregivers);
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x9a1e);
    let mut visits = base.visits.clone();
    let every: Vec<usize> = (0..visits.len()).collect();
    let pairs = make_pairs(&mut visits, &every, 0.3, &mut rng);
    let mut caregivers = base.caregivers.clone();
    for c in &mut caregivers {
        c.capacity = Some(rng.gen_range(1..=5));
        if rng.gen_bool(0.3) {
            let open = rng.gen_range(1_000..5_000);
            c.lunch_break = Some(solver::LunchBreak {
                window: TimeWindow::new(Seconds(open), Seconds(open + rng.gen_range(0..2_000))),
                duration: Seconds(rng.gen_range(0..900)),
            });
        }
    }
    let problem = Problem::new(
        "pairs",
        visits,
        caregivers,
        base.num_locations,
        2,
        base.max_leg,
        base.objective,
        1,
    )
    .and_then(|p| p.with_pairs(pairs))
    .expect("valid problem");
    (problem, travel)
}

/// Every kind of day at once: [`random_home_care_problem`] (links, soft terms, breaks,
/// skills, gender, refusals) with meal rounds on the unlinked visits (a delivery and one or
/// two pick-ups, some with a ride-time limit) and boxes of 2-6.
pub fn random_mixed_problem(
    seed: u64,
    n_visits: usize,
    n_caregivers: usize,
) -> (Problem, TravelMatrices) {
    let (base, travel) = random_home_care_problem(seed, n_visits, n_caregivers);
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x3ea1);
    let linked: Vec<&String> = base.links.iter().flat_map(|l| [&l.first, &l.second]).collect();
    let free: Vec<usize> =
        (0..base.visits.len()).filter(|&v| !linked.contains(&&base.visits[v].id)).collect();
    let mut visits = base.visits.clone();
    let pairs = make_pairs(&mut visits, &free, 0.5, &mut rng);
    let mut caregivers = base.caregivers.clone();
    for c in &mut caregivers {
        c.capacity = Some(rng.gen_range(2..=6));
    }
    let problem = Problem::new(
        "random-mixed",
        visits,
        caregivers,
        base.num_locations,
        base.num_profiles,
        base.max_leg,
        base.objective,
        1,
    )
    .and_then(|p| p.with_links(base.links.clone()))
    .and_then(|p| p.with_pairs(pairs))
    .and_then(|p| p.with_soft_costs(base.soft))
    .expect("valid problem");
    (problem, travel)
}

/// Meal pairs over the visits at `candidates`, in order: each in turn is skipped with
/// probability `skip`, else becomes a delivery with the next one or two as its alternative
/// pick-ups (their own demand cleared), a quantity of 0-3 and, on half, a ride-time limit.
fn make_pairs(
    visits: &mut [Visit],
    candidates: &[usize],
    skip: f64,
    rng: &mut ChaCha8Rng,
) -> Vec<solver::PickupDelivery> {
    let mut pairs = Vec::new();
    let mut i = 0;
    while i + 1 < candidates.len() {
        if rng.gen_bool(skip) {
            i += 1;
            continue;
        }
        let alternatives = if i + 2 < candidates.len() && rng.gen_bool(0.4) { 2 } else { 1 };
        for &v in &candidates[i..=i + alternatives] {
            visits[v].demand = 0;
        }
        let pickups = &candidates[i + 1..=i + alternatives];
        pairs.push(solver::PickupDelivery {
            pickups: pickups.iter().map(|&v| visits[v].id.clone()).collect(),
            delivery: visits[candidates[i]].id.clone(),
            quantity: rng.gen_range(0..=3),
            max_ride: rng.gen_bool(0.5).then(|| Seconds(rng.gen_range(200..2_000))),
        });
        i += alternatives + 1;
    }
    pairs
}
