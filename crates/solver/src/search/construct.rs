//! The first solution: cheapest feasible insertion, visits in order of priority (highest
//! first) and, within a priority, farthest from the depot first (then earliest-closing), so
//! that nothing lower-priority takes the room a higher one needed.

use crate::route::Data;
use crate::search::recreate::{best_insertion, insert_one, InsertionScratch};
use crate::search::solution::Solution;
use rand_chacha::ChaCha8Rng;
use std::cmp::Reverse;

pub fn construct(data: &Data, rng: &mut ChaCha8Rng, hopeless: &[bool]) -> Solution {
    let mut sol = Solution::empty(data);
    if data.n_caregivers == 0 {
        return sol;
    }
    let depot = data.cg_start[0];
    let mut order: Vec<usize> = (0..data.n_visits).filter(|&v| !hopeless[v]).collect();
    order.sort_by_key(|&v| {
        let last_close = data.windows(v).last().map_or(0, |w| w.1);
        (Reverse(data.priority[v]), Reverse(data.cost(0, depot, data.visit_loc[v])), last_close, v)
    });
    let mut scratch = InsertionScratch::default();
    for v in order {
        if data.moves_in_unit(v) {
            insert_one(data, &mut sol, v, 0.0, rng, &mut scratch);
        } else if let Some(ins) = best_insertion(data, &sol, v, 0.0, rng, &mut scratch) {
            sol.insert(data, v, ins.route, ins.position);
        }
    }
    sol
}
