//! SWAP* (Vidal 2022): exchange a visit with one of its nearest neighbours on another route,
//! each going to its best position in the other route rather than to the other's place.
//! Finds exchanges that [`swap`] and two relocates miss when the two visits fit different
//! parts of each other's routes.
//!
//! Costs are screened first: the removal gains plus the cheapest insertion costs ignoring
//! time windows bound the move from below, and only a promising pair is checked in full on
//! the two shortened routes.
//!
//! [`swap`]: super::swap

use crate::route::{Data, RouteState};
use crate::search::local::GRANULARITY;
use crate::search::solution::Solution;

/// Applies the first improving SWAP* of served visit `v` with one of its nearest neighbours;
/// returns the two routes changed.
pub fn swap_star(data: &Data, sol: &mut Solution, v: usize) -> Option<[usize; 2]> {
    let ra = sol.route_of[v]? as usize;
    let pv = sol.routes[ra].position(v)?;
    for &w in data.neighbours[v].iter().take(GRANULARITY) {
        let w = w as usize;
        let Some(rb) = sol.route_of[w].map(|r| r as usize) else { continue };
        if rb == ra || !data.movable_to(rb, v) || !data.movable_to(ra, w) {
            continue;
        }
        let (a, b) = (&sol.routes[ra], &sol.routes[rb]);
        let Some(pw) = b.position(w) else { continue };
        let Some(gain_a) = a.replace_delta(data, pv, pv + 1, &[], i64::MAX) else { continue };
        let Some(gain_b) = b.replace_delta(data, pw, pw + 1, &[], i64::MAX) else { continue };
        let screen = gain_a
            + gain_b
            + cheapest_insertion_cost(data, b, pw, v)
            + cheapest_insertion_cost(data, a, pv, w);
        if screen >= 0 {
            continue;
        }
        let (mut a2, mut b2) = (a.clone(), b.clone());
        a2.remove(data, pv);
        b2.remove(data, pw);
        let Some((da, qa)) = best_position(data, &a2, w) else { continue };
        let Some((db, qb)) = best_position(data, &b2, v) else { continue };
        if gain_a + gain_b + da + db >= 0 {
            continue;
        }
        a2.insert(data, w, qa);
        b2.insert(data, v, qb);
        sol.set_route(data, ra, &a2.visits, &a2.pins);
        sol.set_route(data, rb, &b2.visits, &b2.pins);
        return Some([ra, rb]);
    }
    None
}

/// The cheapest cost of putting `v` into `route` without the visit at `skip`, ignoring every
/// rule but the arcs: a lower bound on the feasible insertion.
fn cheapest_insertion_cost(data: &Data, route: &RouteState, skip: usize, v: usize) -> i64 {
    let c = route.caregiver;
    let slot = data.cg_slot[c];
    let here = data.visit_loc[v];
    let nodes = std::iter::once(data.cg_start[c])
        .chain(
            route
                .visits
                .iter()
                .enumerate()
                .filter(|&(p, _)| p != skip)
                .map(|(_, &x)| data.visit_loc[x as usize]),
        )
        .chain(std::iter::once(data.cg_end[c]));
    let mut best = i64::MAX;
    let mut prev = None;
    for next in nodes {
        if let Some(prev) = prev {
            let delta = data.cost_into(slot, prev, here) + data.cost(slot, here, next)
                - data.cost(slot, prev, next);
            best = best.min(delta);
        }
        prev = Some(next);
    }
    best
}

/// The cheapest feasible position for `v` in `route`, with its cost change.
fn best_position(data: &Data, route: &RouteState, v: usize) -> Option<(i64, usize)> {
    let mut best: Option<(i64, usize)> = None;
    for p in 0..=route.len() {
        let bound = best.map_or(i64::MAX, |b| b.0);
        if let Some(delta) = route.insertion_delta_below(data, v, p, bound) {
            best = Some((delta, p));
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::local::tests::check_operator;

    #[test]
    fn improves_exactly_and_stays_consistent() {
        check_operator(swap_star);
    }
}
