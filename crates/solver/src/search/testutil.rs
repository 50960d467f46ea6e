//! Random small problems and solutions for the operators' unit tests.

use crate::model::{Caregiver, Objective, Problem, Seconds, ServiceKind, TimeWindow, Visit};
use crate::route::Data;
use crate::search::construct::construct;
use crate::search::solution::Solution;
use crate::travel::{DenseMatrix, TravelMatrices};
use crate::{LocationIdx, Meters, ProfileIdx};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A problem of `n` visits (`n >= 3`) and 4 caregivers with tight-ish windows, a leg limit
/// and a route limit on some caregivers, from `seed`. Two caregivers end their day somewhere
/// other than where they start, as home carers do, so that an empty route's cost (nothing,
/// not the start-to-end leg) is exercised.
pub fn problem(seed: u64, n: usize) -> (Problem, TravelMatrices) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let points: Vec<(f64, f64)> = (0..=n)
        .map(|i| {
            if i == 0 {
                (50.0, 50.0)
            } else {
                (rng.gen_range(0.0..100.0), rng.gen_range(0.0..100.0))
            }
        })
        .collect();
    let mut times = Vec::new();
    for a in &points {
        for b in &points {
            times.push(Seconds(((a.0 - b.0).hypot(a.1 - b.1) * 10.0).ceil() as i64));
        }
    }
    let distances = times.iter().map(|t| Meters(t.0 * 2)).collect();
    let m = DenseMatrix::new(points.len(), times, distances).expect("square");
    let visits = (1..=n)
        .map(|i| {
            let open = rng.gen_range(0..6_000);
            Visit {
                station: None,
                id: format!("v{i}"),
                client: None,
                location: LocationIdx(i as u32),
                service: ServiceKind::Meal,
                duration: Seconds(rng.gen_range(0..300)),
                windows: vec![TimeWindow::new(
                    Seconds(open),
                    Seconds(open + rng.gen_range(500..4_000)),
                )],
                skills: if rng.gen_bool(0.2) { vec!["x".into()] } else { Vec::new() },
                priority: rng.gen_range(0..2),
                demand: rng.gen_range(0..3),
                due: None,
                duration_for: Default::default(),
                preferred: Vec::new(),
                refused: Vec::new(),
                female_only: false,
            }
        })
        .collect();
    let caregivers = (0..4)
        .map(|k| Caregiver {
            commute: None,
            circle: None,
            id: format!("c{k}"),
            station: None,
            skills: if k % 2 == 0 { vec!["x".into()] } else { Vec::new() },
            profile: ProfileIdx(0),
            start: LocationIdx(0),
            end: LocationIdx(if k % 2 == 1 { k as u32 } else { 0 }),
            shift: TimeWindow::new(Seconds(0), Seconds(10_000)),
            capacity: Some(12),
            max_route_duration: (k == 3).then_some(Seconds(5_000)),
            contracted: None,
            female: false,
            lunch_break: None,
        })
        .collect();
    let problem = Problem::new(
        "unit",
        visits,
        caregivers,
        n + 1,
        1,
        Some(Seconds(900)),
        Objective::TravelTime,
        1,
    )
    .expect("valid");
    (problem, TravelMatrices::new(vec![m]).expect("one profile"))
}

/// [`problem`] with the soft terms a route prices on its own: deadlines inside some windows,
/// usual caregivers for some clients, slower service by one caregiver, and contracted
/// hours shorter than the shift for two caregivers.
pub fn soft_problem(seed: u64, n: usize) -> (Problem, TravelMatrices) {
    let (p, t) = problem(seed, n);
    let mut visits = p.visits.clone();
    for (i, v) in visits.iter_mut().enumerate() {
        if i % 3 == 0 {
            v.due = Some(v.windows[0].start + Seconds(100));
        }
        if i % 4 == 1 {
            v.preferred = vec![format!("c{}", i % 4)];
        }
        if i % 5 == 2 {
            v.duration_for.insert("c2".into(), v.duration + Seconds(120));
        }
    }
    let mut caregivers = p.caregivers.clone();
    for (k, c) in caregivers.iter_mut().enumerate() {
        c.contracted = (k % 2 == 0).then_some(Seconds(2_500));
    }
    let problem = Problem::new("soft", visits, caregivers, n + 1, 1, p.max_leg, p.objective, 1)
        .and_then(|p| {
            p.with_soft_costs(crate::model::SoftCosts {
                lateness: 2,
                max_lateness: 0,
                non_preferred: 300,
                overtime: 3,
                working_spread: 0,
            })
        })
        .expect("valid");
    (problem, t)
}

/// [`soft_problem`] where two caregivers take a lunch break, whose place each schedule
/// chooses.
pub fn break_problem(seed: u64, n: usize) -> (Problem, TravelMatrices) {
    let (p, t) = soft_problem(seed, n);
    let mut caregivers = p.caregivers.clone();
    for c in caregivers.iter_mut().take(2) {
        c.lunch_break = Some(crate::model::LunchBreak {
            window: TimeWindow::new(Seconds(2_000), Seconds(4_000)),
            duration: Seconds(600),
        });
    }
    let problem =
        Problem::new("breaks", p.visits.clone(), caregivers, n + 1, 1, p.max_leg, p.objective, 1)
            .and_then(|q| q.with_soft_costs(p.soft))
            .expect("valid");
    (problem, t)
}

/// [`break_problem`] with the terms over the whole day priced: the latest lateness and the
/// fairness spread of working times.
pub fn global_problem(seed: u64, n: usize) -> (Problem, TravelMatrices) {
    let (p, t) = break_problem(seed, n);
    let weights = crate::model::SoftCosts { max_lateness: 4, working_spread: 1, ..p.soft };
    let problem = p.with_soft_costs(weights).expect("valid");
    (problem, t)
}

/// [`break_problem`] with linked visits: pairs of two caregivers at once, and pairs one
/// after the other within a gap.
pub fn linked_problem(seed: u64, n: usize) -> (Problem, TravelMatrices) {
    let (p, t) = break_problem(seed, n);
    let links = (0..n / 8)
        .map(|k| crate::model::VisitLink {
            first: format!("v{}", 4 * k + 1),
            second: format!("v{}", 4 * k + 3),
            min_gap: Seconds(if k % 2 == 0 { 0 } else { -300 }),
            max_gap: Seconds(if k % 2 == 0 { 0 } else { 900 }),
        })
        .collect();
    (p.with_links(links).expect("valid links"), t)
}

/// [`linked_problem`] with meal rounds: some visits become deliveries, each picked up at
/// one canteen or either of two, some with a ride-time limit; the box (capacity 12) holds
/// the single visits' demand and the meals on board.
pub fn meal_problem(seed: u64, n: usize) -> (Problem, TravelMatrices) {
    let (p, t) = linked_problem(seed, n);
    let pairs: Vec<crate::model::PickupDelivery> = (0..n / 8)
        .map(|k| {
            let mut pickups = vec![format!("v{}", 4 * k + 4)];
            if k % 2 == 0 && n - k > 4 * (n / 8) + 1 {
                pickups.push(format!("v{}", n - k));
            }
            crate::model::PickupDelivery {
                pickups,
                delivery: format!("v{}", 4 * k + 2),
                quantity: 2 + k as i64 % 3,
                max_ride: (k % 2 == 1).then_some(Seconds(1_500)),
            }
        })
        .collect();
    let in_pairs: Vec<&String> =
        pairs.iter().flat_map(|p| p.pickups.iter().chain([&p.delivery])).collect();
    let mut visits = p.visits.clone();
    for v in visits.iter_mut().filter(|v| in_pairs.contains(&&v.id)) {
        v.demand = 0;
    }
    let problem =
        Problem::new("meals", visits, p.caregivers.clone(), n + 1, 1, p.max_leg, p.objective, 1)
            .and_then(|q| q.with_soft_costs(p.soft))
            .and_then(|q| q.with_links(p.links.clone()))
            .and_then(|q| q.with_pairs(pairs))
            .expect("valid meal rounds");
    (problem, t)
}

/// The constructed solution of `problem`, with no hopeless visits.
pub fn solution(data: &Data, seed: u64) -> Solution {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    construct(data, &mut rng, &vec![false; data.n_visits])
}

pub fn rng(seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed)
}
