//! Pair relocate: move a meal (a delivery with its pick-up) to its cheapest place on
//! another route through one of the delivery's or the pick-up's nearest neighbours, the
//! canteen free to change among the pair's alternatives. The single-visit operators never
//! split a pair; this one moves it whole (the PDPTW's pair relocation).

use crate::route::Data;
use crate::search::local::GRANULARITY;
use crate::search::recreate::greedy_blinks::best_meal_place;
use crate::search::solution::Solution;

/// Moves the meal delivered at served visit `v` (a delivery) to its best place on a
/// neighbouring route if that lowers the cost; returns the two routes changed.
pub fn pair_relocate(data: &Data, sol: &mut Solution, v: usize) -> Option<[usize; 2]> {
    let Some((p, false)) = data.pair[v] else { return None };
    if data.is_locked(v)
        || data.pairs[p as usize].pickups.iter().any(|&u| data.is_locked(u as usize))
    {
        return None;
    }
    let from = sol.route_of[v]? as usize;
    let pickups = &data.pairs[p as usize].pickups;
    let u = pickups.iter().map(|&u| u as usize).find(|&u| sol.route_of[u].is_some())?;
    let (q, s) = (sol.routes[from].position(u)?, sol.routes[from].position(v)?);
    let gain = sol.routes[from].pair_removal_delta(data, [q, s])?;
    let mut tried: Vec<usize> = vec![from];
    let mut best: Option<(i64, crate::search::recreate::greedy_blinks::MealInsertion)> = None;
    let near = data.neighbours[v].iter().take(GRANULARITY);
    for &w in near.chain(data.neighbours[u].iter().take(GRANULARITY)) {
        let Some(r) = sol.route_of[w as usize].map(|r| r as usize) else { continue };
        if tried.contains(&r) || !data.can_serve(r, v) {
            continue;
        }
        tried.push(r);
        let bound = best.map_or(0, |b| b.0) - gain;
        if let Some(ins) = best_meal_place(data, &sol.routes[r], v, bound, || false) {
            best = Some((ins.delta + gain, ins));
        }
    }
    let (_, ins) = best?;
    sol.remove_unit(data, from, s);
    sol.insert_pair(data, ins.route, [ins.pickup, v], ins.positions);
    Some([from, ins.route])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::testutil;

    /// On meal days: a move it applies lowers the cost by what it priced and keeps the
    /// solution consistent (pairs whole, routes feasible); it fires.
    #[test]
    fn improves_exactly_and_stays_consistent() {
        let mut moves = 0;
        for seed in 0..40 {
            let (p, t) = testutil::meal_problem(seed, 30);
            let data = Data::new(&p, &t);
            let mut sol = testutil::solution(&data, seed);
            for v in 0..data.n_visits {
                let cost = sol.cost;
                if let Some([a, b]) = pair_relocate(&data, &mut sol, v) {
                    moves += 1;
                    assert!(sol.cost < cost, "seed {seed} visit {v}: {cost:?} -> {:?}", sol.cost);
                    assert_ne!(a, b);
                    assert!(sol.is_consistent(&data), "seed {seed} visit {v}");
                }
            }
        }
        assert!(moves > 0, "no meal moved in 40 random solutions");
    }
}
