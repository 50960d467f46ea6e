//! The main loop: construct, then (when routes count first) minimise the fleet, then
//! ruin-and-recreate with simulated-annealing acceptance.
//! The cooling schedule is `search::anneal`'s.

use crate::env::Environment;
use crate::model::{Plan, Problem, ReasonCode};
use crate::route::Data;
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
    let hopeless = hopeless(&data, &reasons);
    let mut rng = ChaCha8Rng::seed_from_u64(env.seed);
    let first = construct(&data, &mut rng, &hopeless);
    let best = search_from(&data, first, &hopeless, &mut rng, env, &mut |s, env| {
        report(problem, travel, &data, s, &reasons, env)
    });
    to_plan(problem, travel, &data, &best, &reasons)
}

/// Visits nobody has the skills or the capacity for (or the partner's) never need an
/// insertion attempt; nor do pick-ups, which go in with their deliveries.
pub fn hopeless(data: &Data, reasons: &[ReasonCode]) -> Vec<bool> {
    (0..data.n_visits)
        .map(|v| reasons[v].is_hopeless() || reasons[v] == ReasonCode::Link || data.is_pickup(v))
        .collect()
}

/// The search from a first solution: local search, then (when routes count first) fleet
/// minimisation, then ruin and recreate with simulated-annealing acceptance until `env`
/// says stop; calls `improved` with each new best and returns the best.
pub fn search_from(
    data: &Data,
    first: Solution,
    hopeless: &[bool],
    rng: &mut ChaCha8Rng,
    env: &mut Environment,
    improved: &mut dyn FnMut(&Solution, &mut Environment),
) -> Solution {
    let mut cur = first;
    local::improve(data, &mut cur);
    let mut best = cur.clone();
    improved(&best, env);
    let servable = hopeless.iter().filter(|&&h| !h).count();
    if servable == 0 || data.n_caregivers == 0 {
        return best;
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
        (fewer, iter) = minimise_fleet(data, &cur, rng, hopeless, avg_removed, env, improved);
        if fewer.cost < cur.cost {
            cur = fewer;
            local::improve(data, &mut cur);
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
            ruin_random(data, &mut cand, rng, avg_removed);
        } else {
            ruin_strings(data, &mut cand, rng, avg_removed);
        }
        recreate(data, &mut cand, rng, hopeless);
        debug_assert!(cand.is_consistent(data));

        if accept(cand.cost, cur.cost, temperature, rng) {
            if (cand.cost.objective as f64)
                < best.cost.objective as f64 * (1.0 + LOCAL_SEARCH_MARGIN)
                || cand.cost.unassigned < best.cost.unassigned
            {
                let changed: Vec<usize> = (0..cand.routes.len())
                    .filter(|&r| cand.routes[r].visits != cur.routes[r].visits)
                    .collect();
                local::improve_routes(data, &mut cand, &changed);
            }
            std::mem::swap(&mut cur, &mut cand);
            if cur.cost < best.cost {
                best.clone_from(&cur);
                improved(&best, env);
            }
        }
        iter += 1;
    }
    best
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
