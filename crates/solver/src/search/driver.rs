//! The main loop: construct, then (when routes count first) minimise the fleet, then
//! ruin-and-recreate with simulated-annealing acceptance.
//! The cooling schedule is `search::anneal`'s.

use crate::env::Environment;
use crate::eval::Data;
use crate::model::{Plan, Problem, ReasonCode};
use crate::search::anneal::{accept, Anneal};
use crate::search::construct::construct;
use crate::search::diagnose::reasons;
use crate::search::fleet::minimise_fleet;
use crate::search::local;
use crate::search::output::to_plan;
use crate::search::recreate::recreate;
use crate::search::ruin::{ruin_random, ruin_strings};
use crate::search::solution::Solution;
use crate::travel::TravelTimes;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Start and end temperature, as multiples of the mean arc cost of the first solution.
/// Measured on 8 hard Solomon instances at 10 s: (0.3, 0.003) left R207/R211 8-9 % above
/// the best known, (3, 0.01) found both; a hotter start escapes long routes' local optima.
const T_START: f64 = 3.0;
const T_END: f64 = 0.01;
/// SISR's average number of visits removed per ruin.
const AVG_REMOVED: usize = 10;
/// Share of ruins that remove random visits instead of strings.
const RANDOM_RUIN: f64 = 0.1;
/// Local search runs on accepted solutions this close to the best (fraction of its cost).
const LOCAL_SEARCH_MARGIN: f64 = 0.02;

/// Builds a plan for `problem` and improves it until `env.stop` or `env.cancel` says stop.
/// Deterministic for a given `env.seed` and iteration-based stop criterion.
pub fn solve(problem: &Problem, travel: &dyn TravelTimes, env: &mut Environment) -> Plan {
    let data = Data::new(problem, travel);
    let reasons = reasons(&data);
    // Visits nobody has the skills or the capacity for (or the partner's) never need an
    // insertion attempt; nor do pick-ups, which go in with their deliveries.
    let hopeless: Vec<bool> = (0..data.n_visits)
        .map(|v| reasons[v].is_hopeless() || reasons[v] == ReasonCode::Link || data.is_pickup(v))
        .collect();
    let mut rng = ChaCha8Rng::seed_from_u64(env.seed);
    let mut cur = construct(&data, &mut rng, &hopeless);
    local::improve(&data, &mut cur);
    let mut best = cur.clone();
    report(problem, travel, &data, &best, &reasons, env);
    let servable = hopeless.iter().filter(|&&h| !h).count();
    if servable == 0 || data.n_caregivers == 0 {
        return to_plan(problem, travel, &data, &best, &reasons);
    }
    let mean_arc = {
        let arcs: i64 = cur.routes.iter().map(|r| r.arc_cost).sum();
        let count = (data.n_visits - cur.unassigned.len()) + cur.routes_used();
        (arcs as f64 / count.max(1) as f64).max(1.0)
    };
    let avg_removed = AVG_REMOVED.min(servable).max(1);
    let mut iter = 0u64;
    if data.route_cost > 0 {
        let fewer;
        (fewer, iter) =
            minimise_fleet(&data, &cur, &mut rng, &hopeless, avg_removed, env, &mut |s, env| {
                report(problem, travel, &data, s, &reasons, env)
            });
        if fewer.cost < cur.cost {
            cur = fewer;
            local::improve(&data, &mut cur);
            best.clone_from(&cur);
        }
    }
    let mut cand = cur.clone();
    let mut anneal = Anneal::new(mean_arc * T_START, mean_arc * T_END, iter);
    loop {
        if env.stop.should_stop(iter) || env.cancel.is_cancelled() {
            break;
        }
        let (temperature, restart) = anneal.temperature(env.stop.as_ref(), iter);
        if restart {
            cur.clone_from(&best);
        }

        cand.clone_from(&cur);
        if rng.gen_bool(RANDOM_RUIN) {
            ruin_random(&data, &mut cand, &mut rng, avg_removed);
        } else {
            ruin_strings(&data, &mut cand, &mut rng, avg_removed);
        }
        recreate(&data, &mut cand, &mut rng, &hopeless);
        debug_assert!(cand.is_consistent(&data));

        if accept(cand.cost, cur.cost, temperature, &mut rng) {
            if (cand.cost.objective as f64)
                < best.cost.objective as f64 * (1.0 + LOCAL_SEARCH_MARGIN)
                || cand.cost.unassigned < best.cost.unassigned
            {
                let changed: Vec<usize> = (0..cand.routes.len())
                    .filter(|&r| cand.routes[r].visits != cur.routes[r].visits)
                    .collect();
                local::improve_routes(&data, &mut cand, &changed);
            }
            std::mem::swap(&mut cur, &mut cand);
            if cur.cost < best.cost {
                best.clone_from(&cur);
                report(problem, travel, &data, &best, &reasons, env);
            }
        }
        iter += 1;
    }
    to_plan(problem, travel, &data, &best, &reasons)
}

fn report(
    problem: &Problem,
    travel: &dyn TravelTimes,
    data: &Data,
    best: &Solution,
    reasons: &[ReasonCode],
    env: &mut Environment,
) {
    if let Some(f) = env.on_improvement.as_mut() {
        f(&to_plan(problem, travel, data, best, reasons));
    }
}
