//! 2-opt*: exchange the tails of two routes, `a[..i] + b[j..]` and `b[..j] + a[i..]`. It
//! undoes crossings between routes, which relocate alone cannot. Granular: only links from a
//! visit to one of its nearest neighbours on another route are tried, and only between
//! caregivers with the same matrix, end point and shift end, for whom the cached backward
//! slack of one route is valid on the other. Promising moves are verified in full.

use crate::route::data::FREE;
use crate::route::schedule::{day_figures, DayFigures};
use crate::route::Data;
use crate::search::local::GRANULARITY;
use crate::search::solution::Solution;

/// Applies the first improving exchange that links served visit `v` to one of its nearest
/// neighbours on another route; returns the two routes changed.
pub fn two_opt_star(data: &Data, sol: &mut Solution, v: usize) -> Option<[usize; 2]> {
    let mut seq_a: Vec<u32> = Vec::new();
    let mut seq_b: Vec<u32> = Vec::new();
    let (mut pins_a, mut pins_b): (Vec<i64>, Vec<i64>) = (Vec::new(), Vec::new());
    let ra = sol.route_of[v]? as usize;
    for &w in data.neighbours[v].iter().take(GRANULARITY) {
        let w = w as usize;
        let Some(rb) = sol.route_of[w].map(|r| r as usize) else { continue };
        if rb == ra || !compatible(data, sol.routes[ra].caregiver, sol.routes[rb].caregiver) {
            continue;
        }
        let (a, b) = (&sol.routes[ra], &sol.routes[rb]);
        let (Some(pv), Some(pw)) = (a.position(v), b.position(w)) else { continue };
        // New links: v -> w (a keeps ..=pv, takes b's tail from pw) and
        // b[pw-1] -> a[pv+1] (b keeps ..pw, takes a's tail after pv).
        let (i, j) = (pv + 1, pw);
        let slot = data.cg_slot[a.caregiver];
        let (prev_a, end_a) = a.before(data, i);
        let (prev_b, end_b) = b.before(data, j);
        let loc_next = |r: &crate::route::RouteState, p: usize| {
            r.visits.get(p).map_or(data.cg_end[r.caregiver], |&x| data.visit_loc[x as usize])
        };
        let (next_a, next_b) = (loc_next(a, i), loc_next(b, j));
        let t1 = data.time(slot, prev_a, next_b);
        let t2 = data.time(slot, prev_b, next_a);
        if !data.leg_fits(a.caregiver, prev_a, next_b, t1)
            || !data.leg_fits(b.caregiver, prev_b, next_a, t2)
        {
            continue;
        }
        if end_a + t1 > b.latest_at(data, j) || end_b + t2 > a.latest_at(data, i) {
            continue;
        }
        // A route emptied by the exchange costs nothing: no depot leg, no fixed cost.
        let link = |emptied: bool, from: usize, to: usize| {
            if emptied {
                -data.route_cost
            } else {
                data.cost(slot, from, to)
            }
        };
        let delta = link(i == 0 && j == b.len(), prev_a, next_b)
            + link(j == 0 && i == a.len(), prev_b, next_a)
            - data.cost(slot, prev_a, next_a)
            - data.cost(slot, prev_b, next_b);
        // The soft terms can at most fall to nothing, which bounds the move from below.
        if delta - a.soft - b.soft >= 0 {
            continue;
        }
        // Linked and locked visits keep their routes: the tails that change routes hold none.
        let stays = |x: u32| data.is_linked(x as usize) || data.is_locked(x as usize);
        if a.visits[i..].iter().chain(&b.visits[j..]).any(|&x| stays(x)) {
            continue;
        }
        seq_a.clear();
        seq_a.extend_from_slice(&a.visits[..i]);
        seq_a.extend_from_slice(&b.visits[j..]);
        pins_a.clear();
        pins_a.extend_from_slice(&a.pins[..i]);
        pins_a.resize(seq_a.len(), FREE);
        seq_b.clear();
        seq_b.extend_from_slice(&b.visits[..j]);
        seq_b.extend_from_slice(&a.visits[i..]);
        pins_b.clear();
        pins_b.extend_from_slice(&b.pins[..j]);
        pins_b.resize(seq_b.len(), FREE);
        let (Some(fa), Some(fb)) =
            (fits(data, a.caregiver, &seq_a, &pins_a), fits(data, b.caregiver, &seq_b, &pins_b))
        else {
            continue;
        };
        let delta = match data.soft_route {
            true => {
                delta + fa.soft_price(data, a.caregiver) + fb.soft_price(data, b.caregiver)
                    - a.soft
                    - b.soft
            }
            false => delta,
        };
        if delta >= 0 {
            continue;
        }
        let routes_cost = |sol: &Solution| sol.routes[ra].cost(data) + sol.routes[rb].cost(data);
        let before = routes_cost(sol);
        sol.set_route(data, ra, &seq_a, &pins_a);
        sol.set_route(data, rb, &seq_b, &pins_b);
        debug_assert_eq!(routes_cost(sol) - before, delta);
        return Some([ra, rb]);
    }
    None
}

/// Same matrix, end point, leg limit and shift end: one route's backward slack holds on the
/// other.
fn compatible(data: &Data, a: usize, b: usize) -> bool {
    data.cg_slot[a] == data.cg_slot[b]
        && data.cg_end[a] == data.cg_end[b]
        && data.max_leg[a] == data.max_leg[b]
        && data.shift_end[a] == data.shift_end[b]
}

/// Full check of a new visit order with its pins: skills, then every other rule; the
/// figures of its schedule if it fits.
fn fits(data: &Data, c: usize, seq: &[u32], pins: &[i64]) -> Option<DayFigures> {
    if !seq.iter().all(|&v| data.can_serve(c, v as usize)) {
        return None;
    }
    day_figures(data, c, seq.iter().zip(pins).map(|(&v, &pin)| (v as usize, pin)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::local::tests::check_operator;

    #[test]
    fn improves_exactly_and_stays_consistent() {
        check_operator(two_opt_star);
    }
}
