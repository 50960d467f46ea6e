//! Fleet minimisation, the first phase of SISR (Christiaens & Vanden Berghe 2020) when the
//! objective counts routes first: take the visits of the smallest route out, then ruin and
//! recreate without opening a route until every visit is served again; repeat.
//!
//! Lexicographic acceptance alone stalls here (one visit left out looks as bad as any
//! other), so each visit keeps an absence count, raised every iteration it stays
//! unassigned, and a solution is accepted when it leaves fewer visits out or visits absent
//! less often: the hard-to-place visits get placed first and the others make room.

use crate::env::Environment;
use crate::route::Data;
use crate::search::recreate::recreate_with;
use crate::search::ruin::ruin_strings;
use crate::search::solution::Solution;
use rand_chacha::ChaCha8Rng;

/// Blink rate of the recreate in this phase (as in the main search).
const BLINK_RATE: f64 = 0.01;

/// When the phase ends: a share of the known budget, or a number of iterations without one.
pub const BUDGET_SHARE: f64 = 0.3;
pub const ITERATIONS_WITHOUT_HORIZON: u64 = 20_000;

/// Returns `start` with as few routes as the phase found, serving every visit `start`
/// serves, and the iterations the phase used (the search's first). Calls `improved` with
/// each smaller fleet.
pub fn minimise_fleet(
    data: &Data,
    start: &Solution,
    rng: &mut ChaCha8Rng,
    hopeless: &[bool],
    avg_removed: usize,
    env: &mut Environment,
    improved: &mut dyn FnMut(&Solution, &mut Environment),
) -> (Solution, u64) {
    let mut best = start.clone();
    let mut cur = start.clone();
    let mut absences = vec![0u64; data.n_visits];
    let absence = |s: &Solution, absences: &[u64]| -> u64 {
        s.unassigned.iter().map(|&v| absences[v as usize]).sum()
    };
    let mut iter = 0;
    if !remove_smallest_route(data, &mut cur) {
        return (best, iter);
    }
    let mut cand = cur.clone();
    while !phase_over(env, iter) {
        iter += 1;
        cand.clone_from(&cur);
        ruin_strings(data, &mut cand, rng, avg_removed);
        recreate_with(data, &mut cand, rng, hopeless, BLINK_RATE, true);
        for &v in &cand.unassigned {
            absences[v as usize] += 1;
        }
        if cand.unassigned.len() < cur.unassigned.len()
            || absence(&cand, &absences) < absence(&cur, &absences)
        {
            std::mem::swap(&mut cur, &mut cand);
            if cur.cost.unassigned <= start.cost.unassigned {
                best.clone_from(&cur);
                improved(&best, env);
                if !remove_smallest_route(data, &mut cur) {
                    break;
                }
            }
        }
    }
    (best, iter)
}

fn phase_over(env: &mut Environment, iter: u64) -> bool {
    env.stop.should_stop(iter)
        || env.cancel.is_cancelled()
        || env.stop.progress(iter).map_or(iter >= ITERATIONS_WITHOUT_HORIZON, |p| p >= BUDGET_SHARE)
}

/// Unassigns every visit of the used route with the fewest visits; false if that would leave
/// no route at all.
fn remove_smallest_route(data: &Data, sol: &mut Solution) -> bool {
    if sol.routes_used() <= 1 {
        return false;
    }
    // A route with a locked visit keeps it.
    let Some(r) = (0..sol.routes.len())
        .filter(|&r| !sol.routes[r].is_empty())
        .filter(|&r| !sol.routes[r].visits.iter().any(|&v| data.is_locked(v as usize)))
        .min_by_key(|&r| sol.routes[r].len())
    else {
        return false;
    };
    while !sol.routes[r].is_empty() {
        let last = sol.routes[r].len() - 1;
        sol.remove_unit(data, r, last);
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::MaxIterations;
    use crate::model::Objective;
    use crate::search::testutil;

    #[test]
    fn never_loses_a_visit_and_never_adds_a_route() {
        for seed in 0..10 {
            let (mut p, t) = testutil::problem(seed, 30);
            p.objective = Objective::VehiclesFirst;
            let data = Data::new(&p, &t);
            let start = testutil::solution(&data, seed);
            let mut env = Environment::new(seed, MaxIterations(2_000));
            let mut calls = 0;
            let (best, _) = minimise_fleet(
                &data,
                &start,
                &mut testutil::rng(seed),
                &vec![false; data.n_visits],
                5,
                &mut env,
                &mut |s, _| {
                    calls += 1;
                    assert!(s.cost.unassigned <= start.cost.unassigned);
                },
            );
            assert!(best.is_consistent(&data));
            assert!(best.cost.unassigned <= start.cost.unassigned);
            assert!(best.routes_used() <= start.routes_used());
            assert_eq!(best.routes_used() < start.routes_used(), calls > 0);
        }
    }
}
