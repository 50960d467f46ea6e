//! Greedy insertion with blinks for the linked search: each unassigned visit, or linked
//! pair, in random order goes where it raises the cost least. A pair is placed in two steps:
//! its first visit at one of its few cheapest places, then its partner at the best place
//! that fits with it (on another caregiver's route); both orders are tried.

use super::state::{LinkedSolution, Scratch};
use crate::eval::{Data, SolCost};
use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// Chance of skipping a position (SISR's blinks): a little noise in the greedy choice.
const BLINK: f64 = 0.01;
/// Places of a pair's first visit from which the partner's place is searched.
const PAIR_CANDIDATES: usize = 3;

/// Reinserts every unassigned visit that is not `hopeless`, as well as it can.
pub fn recreate(
    data: &Data,
    sol: &mut LinkedSolution,
    rng: &mut ChaCha8Rng,
    hopeless: &[bool],
    scratch: &mut Scratch,
) {
    let mut items: Vec<(usize, Option<usize>)> = Vec::with_capacity(sol.unassigned.len());
    for &v in &sol.unassigned {
        let v = v as usize;
        if hopeless[v] {
            continue;
        }
        match data.link[v].map(|l| l.partner as usize) {
            None => items.push((v, None)),
            // One item per pair, from its lower index; a lone half waits for its partner.
            Some(p) if sol.route_of[p].is_none() => {
                if v < p && !hopeless[p] {
                    items.push((v, Some(p)));
                }
            }
            Some(_) => items.push((v, None)),
        }
    }
    items.shuffle(rng);
    for (v, partner) in items {
        match partner {
            None => {
                if let Some((c, i)) =
                    best_places(data, sol, v, rng, scratch, 1).first().map(|b| b.1)
                {
                    sol.try_insert(data, v, c, i, true, scratch);
                }
            }
            Some(p) => insert_pair(data, sol, v, p, rng, scratch),
        }
    }
}

/// The `k` cheapest places for `v` by resulting cost: `(cost, (caregiver, position))`.
fn best_places(
    data: &Data,
    sol: &mut LinkedSolution,
    v: usize,
    rng: &mut ChaCha8Rng,
    scratch: &mut Scratch,
    k: usize,
) -> Vec<(SolCost, (usize, usize))> {
    let mut best: Vec<(SolCost, (usize, usize))> = Vec::with_capacity(k + 1);
    let mut empty_classes_tried: Vec<usize> = Vec::new();
    for c in 0..data.n_caregivers {
        if !data.can_serve(c, v) {
            continue;
        }
        if sol.routes[c].is_empty() {
            // Idle caregivers of one class are interchangeable.
            if empty_classes_tried.contains(&data.cg_class[c]) {
                continue;
            }
            empty_classes_tried.push(data.cg_class[c]);
        }
        for i in 0..=sol.routes[c].len() {
            if rng.gen_bool(BLINK) {
                continue;
            }
            let Some(fig) = sol.try_insert(data, v, c, i, false, scratch) else {
                continue;
            };
            let cost = fig.cost(data);
            if best.len() < k || cost < best[best.len() - 1].0 {
                let at = best.partition_point(|b| b.0 <= cost);
                best.insert(at, (cost, (c, i)));
                best.truncate(k);
            }
        }
    }
    best
}

/// Places linked visits `a` and `b` (both unassigned) together, or leaves both out.
fn insert_pair(
    data: &Data,
    sol: &mut LinkedSolution,
    a: usize,
    b: usize,
    rng: &mut ChaCha8Rng,
    scratch: &mut Scratch,
) {
    // (cost, the visit placed first, its place, the partner's place)
    type PairPlace = (SolCost, usize, (usize, usize), (usize, usize));
    let mut best: Option<PairPlace> = None;
    for (x, y) in [(a, b), (b, a)] {
        for (_, (c, i)) in best_places(data, sol, x, rng, scratch, PAIR_CANDIDATES) {
            let mut with_x = sol.clone();
            if with_x.try_insert(data, x, c, i, true, scratch).is_none() {
                continue;
            }
            if let Some(&(cost, at)) = best_places(data, &mut with_x, y, rng, scratch, 1).first() {
                if best.as_ref().is_none_or(|b| cost < b.0) {
                    best = Some((cost, x, (c, i), at));
                }
            }
        }
    }
    if let Some((_, x, (c, i), (d, j))) = best {
        let y = if x == a { b } else { a };
        let placed = sol.try_insert(data, x, c, i, true, scratch).is_some()
            && sol.try_insert(data, y, d, j, true, scratch).is_some();
        // The copy was the original with `x` placed, so `y` fits here too; if that ever
        // failed, both stay out rather than half a pair being served.
        debug_assert!(placed, "a pair place found on a copy must fit the original");
        if !placed {
            sol.remove(data, x);
            sol.remove(data, y);
            let ok = sol.evaluate(data);
            debug_assert!(ok, "the solution before the pair was feasible");
        }
    }
}
