//! Relocate: move one visit next to one of its nearest neighbours on another route, where
//! that is cheapest. Granular, as in HGS: only positions just before or after one of the
//! visit's nearest neighbours are tried, so a pass is O(n * GRANULARITY) rather than O(n^2),
//! which is what lets 1,000-visit instances run many iterations. The exact cost change is the
//! removal gain plus the insertion cost, both O(1) from the route caches. A linked visit
//! relocates too, at its pinned start.

use crate::route::Data;
use crate::search::local::GRANULARITY;
use crate::search::solution::Solution;

/// Moves served visit `v` to its best granular position on another route if that lowers
/// the cost; returns the two routes changed.
pub fn relocate(data: &Data, sol: &mut Solution, v: usize) -> Option<[usize; 2]> {
    if data.pair[v].is_some() || data.is_locked(v) {
        // A pair's ends leave their route only together (see `search::local::pair_relocate`).
        return None;
    }
    let from = sol.route_of[v]? as usize;
    let p = sol.routes[from].position(v)?;
    let gain = sol.routes[from].removal_delta(data, p)?;
    // A linked visit moves at its pinned start, never onto its partner's route: the link
    // holds as it did.
    let pin = sol.routes[from].pins[p];
    let partner_route = data.link[v].and_then(|l| sol.route_of[l.partner as usize]);
    let mut best: Option<(i64, usize, usize)> = None;
    for &w in data.neighbours[v].iter().take(GRANULARITY) {
        let Some(r) = sol.route_of[w as usize].map(|r| r as usize) else { continue };
        if r == from || partner_route == Some(r as u32) || !data.can_serve(r, v) {
            continue;
        }
        let route = &sol.routes[r];
        let Some(at) = route.position(w as usize) else { continue };
        for q in [at, at + 1] {
            let bound = best.map_or(0, |b| b.0) - gain;
            if let Some(delta) = route.insertion_delta_pinned(data, v, q, pin, bound) {
                best = Some((delta + gain, r, q));
            }
        }
    }
    let (_, r, q) = best?;
    sol.remove(data, from, p);
    sol.insert_pinned(data, v, r, q, pin);
    Some([from, r])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::local::tests::check_operator;

    #[test]
    fn improves_exactly_and_stays_consistent() {
        check_operator(relocate);
    }
}
