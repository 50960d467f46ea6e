//! Local search on feasible solutions: improving moves until none improves.
//!
//! Work is driven by a queue of visits: a visit is examined when its route changed, so after a
//! ruin-and-recreate only the routes it touched (and those later moves touch) are searched,
//! not the whole plan. Every operator is granular, as in HGS: it only tries to put a visit
//! next to one of its [`GRANULARITY`] nearest neighbours, so a pass is O(n) rather than
//! O(n^2). The operators run cheapest first; the next is only tried when the previous found
//! nothing for the visit.

pub mod cross_exchange;
pub mod or_opt;
pub mod pair_relocate;
pub mod relocate;
pub mod swap;
pub mod swap_star;
pub mod two_opt_star;

use crate::route::Data;
use crate::search::solution::Solution;
use std::collections::VecDeque;

/// Neighbours considered per visit.
pub const GRANULARITY: usize = 20;

/// A move from one visit: applies an improving move if there is one and names the two
/// routes it changed.
type Operator = fn(&Data, &mut Solution, usize) -> Option<[usize; 2]>;

const OPERATORS: [Operator; 7] = [
    relocate::relocate,
    pair_relocate::pair_relocate,
    swap::swap,
    two_opt_star::two_opt_star,
    or_opt::or_opt,
    cross_exchange::cross_exchange,
    swap_star::swap_star,
];

/// Applies improving moves until a local optimum, starting from every visit. A visit is
/// only re-examined when its own route changes, yet its moves also depend on its
/// neighbours' routes; so passes over every visit repeat until one applies nothing.
pub fn improve(data: &Data, sol: &mut Solution) {
    let all: Vec<usize> = (0..sol.routes.len()).collect();
    while improve_routes(data, sol, &all) > 0 {}
}

/// Applies improving moves until no move from a visit of a changed route improves,
/// starting from the visits of `routes`; returns how many it applied.
pub fn improve_routes(data: &Data, sol: &mut Solution, routes: &[usize]) -> usize {
    let mut applied = 0;
    let mut queued = vec![false; data.n_visits];
    let mut queue = VecDeque::new();
    let enqueue =
        |sol: &Solution, r: usize, queued: &mut Vec<bool>, queue: &mut VecDeque<usize>| {
            for &v in &sol.routes[r].visits {
                let v = v as usize;
                if !queued[v] {
                    queued[v] = true;
                    queue.push_back(v);
                }
            }
        };
    for &r in routes {
        enqueue(sol, r, &mut queued, &mut queue);
    }
    // The operators price each route's own cost; a move may still raise the terms over the
    // whole day, so where those are priced a move that raised the total is undone.
    let mut undo = data.global_terms.then(|| sol.clone());
    while let Some(v) = queue.pop_front() {
        queued[v] = false;
        let changed = match undo.as_mut() {
            None => OPERATORS.iter().find_map(|op| op(data, sol, v)),
            Some(backup) => {
                // An operator that finds nothing changes nothing, and an undone move leaves
                // the solution as the snapshot: one snapshot per visit serves every operator.
                backup.clone_from(sol);
                OPERATORS.iter().find_map(|op| {
                    let changed = op(data, sol, v);
                    if changed.is_some() && sol.cost >= backup.cost {
                        sol.clone_from(backup);
                        return None;
                    }
                    changed
                })
            }
        };
        applied += usize::from(changed.is_some());
        for r in changed.into_iter().flatten() {
            enqueue(sol, r, &mut queued, &mut queue);
        }
    }
    applied
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::search::testutil;

    /// Runs `op` from every visit of random small solutions: a move it applies lowers the
    /// cost, and the solution stays consistent (every visit once, routes feasible, the
    /// incrementally kept cost equal to a full recomputation).
    pub fn check_operator(op: Operator) {
        for make in [
            testutil::problem,
            testutil::soft_problem,
            testutil::break_problem,
            testutil::linked_problem,
            testutil::meal_problem,
        ] {
            check_operator_on(op, make);
        }
    }

    fn check_operator_on(
        op: Operator,
        make: fn(u64, usize) -> (crate::model::Problem, crate::travel::TravelMatrices),
    ) {
        let mut moves = 0;
        for seed in 0..20 {
            let (p, t) = make(seed, 30);
            let data = Data::new(&p, &t);
            let mut sol = testutil::solution(&data, seed);
            for v in 0..data.n_visits {
                let cost = sol.cost;
                if let Some([a, b]) = op(&data, &mut sol, v) {
                    moves += 1;
                    assert!(sol.cost < cost, "seed {seed} visit {v}: {:?} -> {:?}", cost, sol.cost);
                    assert_ne!(a, b);
                    assert!(sol.is_consistent(&data), "seed {seed} visit {v}");
                }
            }
        }
        // The test means nothing if the operator never fires on these cases.
        assert!(moves > 0, "the operator found no improving move in 20 random solutions");
    }

    /// With terms over the whole day (the latest lateness, the fairness spread) the local
    /// search never raises the total cost, and the kept cost stays exact.
    #[test]
    fn whole_day_terms_never_rise_in_the_local_search() {
        for seed in 0..20 {
            let (p, t) = testutil::global_problem(seed, 30);
            let data = Data::new(&p, &t);
            assert!(data.global_terms);
            let mut sol = testutil::solution(&data, seed);
            let before = sol.cost;
            improve(&data, &mut sol);
            assert!(sol.cost <= before, "seed {seed}: {before:?} -> {:?}", sol.cost);
            assert!(sol.is_consistent(&data), "seed {seed}");
        }
    }

    #[test]
    fn a_local_optimum_has_no_improving_move() {
        for (seed, make) in (0..30).flat_map(|s| {
            [
                (s, testutil::problem as fn(u64, usize) -> _),
                (s, testutil::soft_problem),
                (s, testutil::break_problem),
                (s, testutil::linked_problem),
                (s, testutil::meal_problem),
            ]
        }) {
            let (p, t) = make(seed, 40);
            let data = Data::new(&p, &t);
            let mut sol = testutil::solution(&data, seed);
            improve(&data, &mut sol);
            assert!(sol.is_consistent(&data));
            for v in 0..data.n_visits {
                for op in OPERATORS {
                    assert!(op(&data, &mut sol, v).is_none(), "seed {seed} visit {v}");
                }
            }
        }
    }
}
