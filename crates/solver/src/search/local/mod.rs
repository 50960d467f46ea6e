//! Local search on feasible solutions: improving moves until none improves.
//!
//! Work is driven by a queue of visits: a visit is examined when its route changed, so after a
//! ruin-and-recreate only the routes it touched (and those later moves touch) are searched,
//! not the whole plan.

pub mod relocate;
pub mod two_opt_star;

use crate::eval::Data;
use crate::search::solution::Solution;
use std::collections::VecDeque;

/// Applies improving moves until a local optimum, starting from every visit.
pub fn improve(data: &Data, sol: &mut Solution) {
    let all: Vec<usize> = (0..sol.routes.len()).collect();
    improve_routes(data, sol, &all);
}

/// Applies improving moves until no move from a visit of a changed route improves,
/// starting from the visits of `routes`.
pub fn improve_routes(data: &Data, sol: &mut Solution, routes: &[usize]) {
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
    while let Some(v) = queue.pop_front() {
        queued[v] = false;
        let changed =
            relocate::relocate(data, sol, v).or_else(|| two_opt_star::two_opt_star(data, sol, v));
        for r in changed.into_iter().flatten() {
            enqueue(sol, r, &mut queued, &mut queue);
        }
    }
}
