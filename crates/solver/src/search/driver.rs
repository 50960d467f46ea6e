//! The main loop: construct, then (when routes count first) minimise the fleet, then
//! ruin-and-recreate with simulated-annealing acceptance.
//! The cooling schedule is `search::anneal`'s.

use crate::env::Environment;
use crate::model::{Plan, Problem, ReasonCode};
use crate::route::Data;
use crate::search::construct::construct;
use crate::search::diagnose::reasons;
use crate::search::fleet::minimise_fleet;
use crate::search::local;
use crate::search::output::to_plan;
use crate::search::solution::Solution;
use crate::search::together;
use crate::search::walk::{Ground, Walk};
use crate::travel::TravelTimes;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// SISR's average number of visits removed per ruin.
const AVG_REMOVED: usize = 10;

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
/// says stop; calls `improved` with each new best and returns the best. On `env.threads`
/// threads the walks exchange their best solutions (`search::together`).
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
    improved(&cur, env);
    let servable = hopeless.iter().filter(|&&h| !h).count();
    if servable == 0 || data.n_caregivers == 0 {
        return cur;
    }
    let mean_arc = {
        let arcs: i64 = cur.routes.iter().map(|r| r.arc_cost).sum();
        let count = (data.n_visits - cur.unassigned.len()) + cur.routes_used();
        (arcs as f64 / count.max(1) as f64).max(1.0)
    };
    let ground = Ground { data, hopeless, avg_removed: AVG_REMOVED.min(servable).max(1), mean_arc };
    if env.threads > 1 {
        return together::search(&ground, cur, rng, env, improved);
    }
    let (cur, iter) = fewer_routes(&ground, cur, rng, env, improved);
    let mut walk = Walk::new(&ground, cur, iter);
    while !(env.stop.should_stop(walk.iter) || env.cancel.is_cancelled()) {
        if walk.step(&ground, rng, env.stop.as_ref()) {
            improved(&walk.best, env);
        }
    }
    walk.best
}

/// When routes count first, the fleet minimisation phase from `cur`: the solution the
/// search goes on from and the iterations spent.
pub(crate) fn fewer_routes(
    ground: &Ground,
    cur: Solution,
    rng: &mut ChaCha8Rng,
    env: &mut Environment,
    improved: &mut dyn FnMut(&Solution, &mut Environment),
) -> (Solution, u64) {
    let data = ground.data;
    if data.route_cost <= 0 {
        return (cur, 0);
    }
    let (mut fewer, iter) =
        minimise_fleet(data, &cur, rng, ground.hopeless, ground.avg_removed, env, improved);
    if fewer.cost >= cur.cost {
        return (cur, iter);
    }
    local::improve(data, &mut fewer);
    (fewer, iter)
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
